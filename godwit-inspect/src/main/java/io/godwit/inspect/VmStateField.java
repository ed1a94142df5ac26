package io.godwit.inspect;

/**
 * One field of a VMState description, as QEMU's vmstate.c writes it into the trailer.
 *
 * @param name the field name (QEMU makes repeated names unique with a "[n]" suffix)
 * @param type QEMU's type name: "uint32", "int32 le", "buffer", "struct", "tmp", ...
 * @param size bytes per element; -1 when the trailer gives none (possible only for structs)
 * @param count elements described by this entry: the "array_len" of a compressed array, else 1
 * @param index the element index of one entry of an array that could not be compressed, or -1
 * @param struct what each element holds, for "struct" and "vstruct" fields with described
 *     fields; null otherwise
 */
public record VmStateField(String name, String type, long size, int count, int index, VmStateStruct struct) {

    /** The "capability" type is a u8 length and a name, whatever "size" says. */
    static final String CAPABILITY = "capability";

    /** The name of element {@code element} in a field path. */
    String label(int element) {
        String s = index >= 0 ? name + "[" + index + "]" : name;
        return count > 1 ? s + "[" + element + "]" : s;
    }
}

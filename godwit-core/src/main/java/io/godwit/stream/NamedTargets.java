package io.godwit.stream;

import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * What the records of a section name (RAM blocks, disks), as the code reading them knows them. A
 * record reader reads a name, asks for its target, and checks the offsets in the record against
 * the target's size; a name the caller does not know is refused at the record's offset.
 *
 * @param <T> the caller's object for a name: a RAM block, a disk, or just the name
 */
public final class NamedTargets<T> {
    private final Function<String, T> lookup;
    private final Function<T, String> nameOf;
    private final ToLongFunction<T> sizeOf;
    private final Function<String, String> unknown;

    /**
     * @param lookup the target of a name, or null when there is none
     * @param sizeOf a target's size in bytes, or -1 when it is not known (offsets are then not checked)
     * @param unknown the refusal of a name {@code lookup} does not know: what was expected
     */
    public NamedTargets(Function<String, T> lookup, Function<T, String> nameOf, ToLongFunction<T> sizeOf,
            Function<String, String> unknown) {
        this.lookup = lookup;
        this.nameOf = nameOf;
        this.sizeOf = sizeOf;
        this.unknown = unknown;
    }

    /** Every name is its own target, of the size {@code sizeOf} gives it (-1: not known). */
    public static NamedTargets<String> anyName(ToLongFunction<String> sizeOf) {
        return new NamedTargets<>(Function.identity(), Function.identity(), sizeOf, name -> "");
    }

    /** The target called {@code name}; refused, naming the record at {@code at}, when there is none. */
    public T named(String name, long at) throws StreamFormatException {
        T target = lookup.apply(name);
        if (target == null) {
            throw new StreamFormatException(unknown.apply(name), at);
        }
        return target;
    }

    public String name(T target) {
        return nameOf.apply(target);
    }

    /** Size in bytes, or -1 when it is not known here. */
    public long size(T target) {
        return sizeOf.applyAsLong(target);
    }
}

package io.godwit.stream;

/**
 * What the records of a section name (RAM blocks, disks), as the code reading them knows them. A
 * record reader reads a name, asks for its target, and checks the offsets in the record against
 * the target's size; the caller refuses a name it does not know, at the record's offset.
 *
 * @param <T> the caller's object for a name: a RAM block, a disk, or just the name
 */
public interface NamedTargets<T> {
    /** The target called {@code name}; throws, naming the record at {@code at}, when there is none. */
    T named(String name, long at) throws StreamFormatException;

    String name(T target);

    /** Size in bytes, or -1 when it is not known here (offsets are then not checked against it). */
    long size(T target);
}

package io.godwit.stream;

/**
 * One framing element of the stream, as {@link MigrationStreamReader#next()} returns it and
 * {@link MigrationStreamWriter#write(StreamRecord)} writes it. Section payloads are not records:
 * after a START, PART, END or FULL header the owning handler reads its own bytes.
 */
public sealed interface StreamRecord
        permits Configuration, SectionHeader, SectionFooter, Command, StreamRecord.Eof, VmDescription {

    /** QEMU_VM_EOF: the end of the device state. */
    record Eof() implements StreamRecord {}

    Eof EOF = new Eof();
}

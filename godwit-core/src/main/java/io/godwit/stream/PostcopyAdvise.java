package io.godwit.stream;

import java.nio.ByteBuffer;

/**
 * POSTCOPY_ADVISE (savevm.c qemu_savevm_send_postcopy_advise): sent before any page when post-copy
 * may follow. With RAM post-copy it carries the source's host page sizes (the OR of every RAM
 * block's page size) and its target page size, both be64, so the destination can refuse early;
 * without it (dirty bitmaps only) the payload is empty.
 */
public record PostcopyAdvise(long hostPageSizes, long targetPageSize) {
    public static final int LENGTH = 16;

    public Command toCommand() {
        return new Command(CommandType.POSTCOPY_ADVISE,
                ByteBuffer.allocate(LENGTH).putLong(hostPageSizes).putLong(targetPageSize).array());
    }

    /** The empty advise of a source that migrates no RAM in post-copy. */
    public static Command empty() {
        return new Command(CommandType.POSTCOPY_ADVISE, new byte[0]);
    }

    /**
     * The advise in {@code c}, or null when it is empty.
     *
     * @param at offset of the command, for the refusal
     */
    public static PostcopyAdvise of(Command c, long at) throws StreamFormatException {
        if (c.type() != CommandType.POSTCOPY_ADVISE) {
            throw new IllegalArgumentException("not a POSTCOPY_ADVISE: " + c);
        }
        int len = c.data().length;
        if (len == 0) {
            return null;
        }
        if (len != LENGTH) {
            throw new StreamFormatException("CMD_POSTCOPY_ADVISE invalid length (" + len + "); expected 0 or 16", at);
        }
        ByteBuffer b = ByteBuffer.wrap(c.data());
        return new PostcopyAdvise(b.getLong(), b.getLong());
    }
}

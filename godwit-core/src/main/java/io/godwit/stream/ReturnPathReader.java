package io.godwit.stream;

import java.io.IOException;

/** Reads return-path messages, refusing unknown types and wrong lengths (migration.c rules). */
public final class ReturnPathReader {
    private final StreamInput in;

    public ReturnPathReader(StreamInput in) {
        this.in = in;
    }

    /** The next message, or null when the peer closed the return path cleanly. */
    public ReturnPathMessage next() throws IOException {
        if (!in.hasMore()) {
            return null;
        }
        long at = in.position();
        int code = in.getBe16();
        int len = in.getBe16();
        ReturnPathType t = ReturnPathType.of(code);
        if (t == null) {
            throw new StreamFormatException(String.format(
                    "return path: unknown message 0x%04x (length %d)", code, len), at);
        }
        if (t.length >= 0 && t.length != len) {
            throw new StreamFormatException("return path: " + t + " has length " + len + "; expected " + t.length, at);
        }
        return new ReturnPathMessage(t, in.getBytes(len));
    }
}

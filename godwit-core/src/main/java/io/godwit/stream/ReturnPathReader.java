package io.godwit.stream;

import java.io.IOException;

/** Reads return-path messages, refusing unknown types and wrong lengths (migration.c rules). */
public final class ReturnPathReader {
    private final StreamInput in;

    public ReturnPathReader(StreamInput in) {
        this.in = in;
    }

    /** Offset of the next byte to read. */
    public long position() {
        return in.position();
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
        ReturnPathMessage m = new ReturnPathMessage(t, in.getBytes(len));
        checkPayload(m, at);
        return m;
    }

    /** Variable-length messages must be exactly as long as what they say they hold. */
    private static void checkPayload(ReturnPathMessage m, long at) throws StreamFormatException {
        byte[] d = m.data();
        switch (m.type()) {
            case REQ_PAGES_ID -> {
                int expected = d.length >= 13 ? 13 + (d[12] & 0xff) : 13;
                if (d.length != expected) {
                    throw new StreamFormatException("return path: Req_Page_id with length " + d.length + " expecting "
                            + expected, at);
                }
            }
            case RECV_BITMAP -> {
                if (d.length < 1) {
                    throw new StreamFormatException("return path: MIG_RP_MSG_RECV_BITMAP missing block name", at);
                }
                RecvBitmap.countedName(d, "return path: RECV_BITMAP", at);
            }
            default -> { }
        }
    }

    /** The bitmap that follows a RECV_BITMAP message, for a block of {@code pages} pages. */
    public long[] readReceivedBitmap(String block, long pages) throws IOException {
        return ReceivedBitmap.read(in, block, pages);
    }
}

package io.godwit.stream;

import static io.godwit.stream.StreamConstants.MAX_IDSTR_LENGTH;

import java.nio.charset.StandardCharsets;

/**
 * RECV_BITMAP (savevm.c qemu_savevm_send_recv_bitmap): on resuming a paused post-copy, the source
 * asks for the bitmap of pages the destination received in one RAM block. The payload is the
 * block name as a u8 length and bytes; the destination answers with a RECV_BITMAP return-path
 * message followed by the bitmap (see {@link ReceivedBitmap}).
 */
public record RecvBitmap(String block) {
    public RecvBitmap {
        int n = block.getBytes(StandardCharsets.UTF_8).length;
        if (n == 0 || n > MAX_IDSTR_LENGTH) {
            throw new IllegalArgumentException("RAM block name must be 1 to 255 bytes: '" + block + "'");
        }
    }

    public Command toCommand() {
        return new Command(CommandType.RECV_BITMAP, counted(block));
    }

    /** As loadvm_handle_recv_bitmap: a counted name that fills the payload exactly. */
    public static RecvBitmap of(Command c, long at) throws StreamFormatException {
        if (c.type() != CommandType.RECV_BITMAP) {
            throw new IllegalArgumentException("not a RECV_BITMAP: " + c);
        }
        return new RecvBitmap(countedName(c.data(), "RECV_BITMAP", at));
    }

    static byte[] counted(String s) {
        byte[] name = s.getBytes(StandardCharsets.UTF_8);
        byte[] d = new byte[1 + name.length];
        d[0] = (byte) name.length;
        System.arraycopy(name, 0, d, 1, name.length);
        return d;
    }

    /** A payload that is exactly a u8 length and that many bytes of a non-empty name. */
    static String countedName(byte[] d, String what, long at) throws StreamFormatException {
        if (d.length < 2) {
            throw new StreamFormatException(what + ": failed to read block name (payload of " + d.length + " bytes)", at);
        }
        int n = d[0] & 0xff;
        if (n == 0 || 1 + n != d.length) {
            throw new StreamFormatException(what + ": length mismatch: name of " + n + " bytes in a payload of "
                    + d.length + " bytes", at);
        }
        return new String(d, 1, n, StandardCharsets.UTF_8);
    }
}

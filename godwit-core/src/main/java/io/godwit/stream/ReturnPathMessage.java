package io.godwit.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** One return-path message: be16 type, be16 length, payload. */
public record ReturnPathMessage(ReturnPathType type, byte[] data) {

    public ReturnPathMessage {
        if (data.length > 0xffff) {
            throw new IllegalArgumentException("return-path payload over 65535 bytes");
        }
        if (type.length >= 0 && data.length != type.length) {
            throw new IllegalArgumentException(type + " takes " + type.length + " bytes, not " + data.length);
        }
    }

    /** SHUT: the destination is done with the stream; 0 for success, else an error. */
    public static ReturnPathMessage shut(int status) {
        return new ReturnPathMessage(ReturnPathType.SHUT, be32(status));
    }

    public static ReturnPathMessage pong(int value) {
        return new ReturnPathMessage(ReturnPathType.PONG, be32(value));
    }

    public static ReturnPathMessage switchoverAck() {
        return new ReturnPathMessage(ReturnPathType.SWITCHOVER_ACK, new byte[0]);
    }

    /** RESUME_ACK: the destination is ready to resume a paused post-copy (value 1). */
    public static ReturnPathMessage resumeAck(int value) {
        return new ReturnPathMessage(ReturnPathType.RESUME_ACK, be32(value));
    }

    /** RECV_BITMAP: the received bitmap of {@code block} follows (see {@link ReceivedBitmap}). */
    public static ReturnPathMessage recvBitmap(String block) {
        return new ReturnPathMessage(ReturnPathType.RECV_BITMAP, RecvBitmap.counted(block));
    }

    /** The block a RECV_BITMAP message names (the reader has checked its length). */
    public String recvBitmapBlock() {
        if (type != ReturnPathType.RECV_BITMAP) {
            throw new IllegalStateException("not a RECV_BITMAP: " + this);
        }
        return new String(data, 1, data[0] & 0xff, StandardCharsets.UTF_8);
    }

    /** Post-copy page request: be64 start, be32 length, and the RAM block name when it changes. */
    public static ReturnPathMessage reqPages(String block, long start, int length) {
        ByteBuffer b;
        if (block == null) {
            b = ByteBuffer.allocate(12).putLong(start).putInt(length);
            return new ReturnPathMessage(ReturnPathType.REQ_PAGES, b.array());
        }
        byte[] name = block.getBytes(StandardCharsets.UTF_8);
        if (name.length > StreamConstants.MAX_IDSTR_LENGTH) {
            throw new IllegalArgumentException("RAM block name longer than 255 bytes: " + block);
        }
        b = ByteBuffer.allocate(13 + name.length).putLong(start).putInt(length).put((byte) name.length).put(name);
        return new ReturnPathMessage(ReturnPathType.REQ_PAGES_ID, b.array());
    }

    private static byte[] be32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    /** The be32 payload of SHUT, PONG or RESUME_ACK. */
    public int intValue() {
        return ByteBuffer.wrap(data).getInt();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReturnPathMessage m && m.type == type && Arrays.equals(m.data, data);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "ReturnPathMessage[" + type + ", " + data.length + " bytes]";
    }
}

package io.godwit.device;

import io.godwit.reference.device.SyntheticDevice;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Reading a device's data stream into bytes, and taking a SyntheticDevice's stream apart. */
public final class DeviceStreams {
    private DeviceStreams() {}

    /** One record of a SyntheticDevice's stream. */
    public record Block(long offset, int length) {}

    /** Reads with buffers of {@code bufferSize} until the device returns 0. */
    public static byte[] drain(MigratableDevice d, int bufferSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(bufferSize);
        while (true) {
            buf.clear();
            int n = d.read(buf);
            if (n == 0) {
                return out.toByteArray();
            }
            out.write(buf.array(), 0, n);
        }
    }

    public static byte[] drain(MigratableDevice d) {
        return drain(d, 1 << 20);
    }

    /** One read of at most {@code bufferSize} bytes. */
    public static byte[] readOnce(MigratableDevice d, int bufferSize) {
        ByteBuffer buf = ByteBuffer.allocate(bufferSize);
        int n = d.read(buf);
        byte[] b = new byte[n];
        System.arraycopy(buf.array(), 0, b, 0, n);
        return b;
    }

    /** The records of a SyntheticDevice's stream (be64 offset, be32 length, bytes). */
    public static List<Block> blocks(byte[] stream) {
        ByteBuffer b = ByteBuffer.wrap(stream);
        List<Block> out = new ArrayList<>();
        while (b.hasRemaining()) {
            long offset = b.getLong();
            int len = b.getInt();
            b.position(b.position() + len);
            out.add(new Block(offset, len));
        }
        return out;
    }

    /** Writes {@code stream} into {@code dest} in RESUMING, in one call. */
    public static void write(MigratableDevice dest, byte[] stream) {
        dest.write(ByteBuffer.wrap(stream));
    }
}

package io.godwit.inspect;

import static io.godwit.stream.StreamConstants.VMDESCRIPTION;

import io.godwit.stream.MigrationStreamReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Finds the VMDESCRIPTION trailer at the end of a stream file before the stream is read, since
 * FULL sections can only be walked with it: the trailer is 0x06, a be32 length and that many
 * bytes of JSON ending exactly at the end of the file. JSON text holds no 0x06 byte, so scanning
 * back from the end, the first 0x06 whose length fits is the trailer's.
 */
final class TrailerLocator {
    private static final int WINDOW = 1 << 20;
    private static final int HEADER = 5; // type byte and be32 length

    /** Where the trailer starts (its 0x06 byte) and its JSON. */
    record Trailer(long offset, byte[] json) {
        long jsonOffset() {
            return offset + HEADER;
        }
    }

    private TrailerLocator() {}

    /** The trailer, or null when the file does not end with one. */
    static Trailer find(FileChannel ch, long size) throws IOException {
        long limit = Math.max(0, size - HEADER - MigrationStreamReader.MAX_VMDESCRIPTION_BYTES);
        ByteBuffer buf = ByteBuffer.allocate(WINDOW + HEADER);
        long end = size; // windows overlap by the header so a candidate split across two is seen whole
        while (end > limit) {
            long start = Math.max(limit, end - WINDOW);
            buf.clear().limit((int) (Math.min(size, end + HEADER) - start));
            readFully(ch, buf, start);
            for (int i = (int) (end - start) - 1; i >= 0; i--) {
                long p = start + i;
                if (buf.get(i) == VMDESCRIPTION && p + HEADER < size && i + HEADER < buf.limit()
                        && Integer.toUnsignedLong(buf.getInt(i + 1)) == size - p - HEADER && buf.get(i + HEADER) == '{') {
                    return new Trailer(p, read(ch, p + HEADER, (int) (size - p - HEADER)));
                }
            }
            end = start;
        }
        return null;
    }

    private static byte[] read(FileChannel ch, long at, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        readFully(ch, b, at);
        return b.array();
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, at + b.position());
            if (n < 0) {
                throw new IOException("file shrank while being read");
            }
        }
        b.flip();
    }
}

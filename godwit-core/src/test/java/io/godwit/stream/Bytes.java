package io.godwit.stream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.function.IntSupplier;

/**
 * Test helpers for byte-level checks of the stream: golden bytes written by hand, a source that
 * feeds a {@link StreamInput} from a byte array in buffers of chosen sizes, and a sink that
 * collects what a {@link StreamOutput} writes.
 */
public final class Bytes {
    private Bytes() {}

    /** Bytes from hex digits; spaces, newlines and '|' separators are ignored. */
    public static byte[] hex(String digits) {
        return HexFormat.of().parseHex(digits.replaceAll("[\\s|]", ""));
    }

    public static String toHex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    public static byte[] u8(int v) {
        return new byte[] {(byte) v};
    }

    public static byte[] be16(int v) {
        return ByteBuffer.allocate(2).putShort((short) v).array();
    }

    public static byte[] be32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    public static byte[] be64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A u8 length, then the ASCII bytes: an idstr as QEMU sends it. */
    public static byte[] str8(String s) {
        return concat(u8(s.length()), ascii(s));
    }

    public static byte[] filled(int len, int value) {
        byte[] b = new byte[len];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** The first {@code len} bytes of {@code b}: a stream cut short. */
    public static byte[] prefix(byte[] b, int len) {
        return Arrays.copyOf(b, len);
    }

    // ------------------------------------------------------------------ input

    /** The bytes as one buffer. */
    public static StreamInput input(byte[] data) {
        return new StreamInput(source(data, () -> Math.max(1, data.length)));
    }

    /** The bytes in buffers of 1 to 3 bytes, so most values straddle a buffer boundary. */
    public static StreamInput chopped(byte[] data, long seed) {
        Random r = new Random(seed);
        return new StreamInput(source(data, () -> 1 + r.nextInt(3)));
    }

    /**
     * A source handing out {@code data} in consecutive buffers whose sizes {@code sizes} picks.
     * Buffers wrap the array in place, so each starts at a non-zero position (as the reader must
     * allow); a fully read buffer must be handed back before the next is given.
     */
    public static ArraySource source(byte[] data, IntSupplier sizes) {
        return new ArraySource(data, sizes);
    }

    /** A source handing out exactly these buffers, in order, then the end of the stream. */
    public static ByteSource buffers(ByteBuffer... buffers) {
        return new ByteSource() {
            private int next;

            @Override
            public ByteBuffer next(ByteBuffer consumed) {
                return next < buffers.length ? buffers[next++] : null;
            }

            @Override
            public void close() {}
        };
    }

    public static final class ArraySource implements ByteSource {
        private final byte[] data;
        private final IntSupplier sizes;
        private int offset;
        private ByteBuffer out;
        private int buffersGiven;
        private boolean closed;

        ArraySource(byte[] data, IntSupplier sizes) {
            this.data = data;
            this.sizes = sizes;
        }

        @Override
        public ByteBuffer next(ByteBuffer consumed) throws IOException {
            if (closed) {
                throw new IOException("source closed");
            }
            if (consumed != out) {
                throw new AssertionError("handed back a buffer that is not the last one given");
            }
            if (out != null && out.hasRemaining()) {
                throw new AssertionError("asked for the next buffer with " + out.remaining() + " bytes unread");
            }
            if (offset >= data.length) {
                out = null;
                return null;
            }
            int n = Math.min(Math.max(1, sizes.getAsInt()), data.length - offset);
            out = ByteBuffer.wrap(data, offset, n);
            offset += n;
            buffersGiven++;
            return out;
        }

        public int buffersGiven() {
            return buffersGiven;
        }

        public boolean closed() {
            return closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    // ----------------------------------------------------------------- output

    /** A sink collecting everything written, handing out direct buffers of {@code bufferSize}. */
    public static Sink sink(int bufferSize) {
        return new Sink(bufferSize);
    }

    public static Sink sink() {
        return new Sink(4096);
    }

    public static final class Sink implements ByteSink {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final int bufferSize;
        private int swaps;
        private boolean closed;

        Sink(int bufferSize) {
            this.bufferSize = bufferSize;
        }

        @Override
        public ByteBuffer swap(ByteBuffer filled) throws IOException {
            if (closed) {
                throw new IOException("sink closed");
            }
            if (filled != null) {
                byte[] b = new byte[filled.remaining()];
                filled.get(b);
                bytes.writeBytes(b);
                swaps++;
            }
            return ByteBuffer.allocateDirect(bufferSize);
        }

        /** Everything handed to the sink so far (not what the output still buffers). */
        public byte[] toByteArray() {
            return bytes.toByteArray();
        }

        /** How many filled buffers the sink was given. */
        public int swaps() {
            return swaps;
        }

        public boolean closed() {
            return closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Writes with {@code body} to a fresh output, flushes, and returns the bytes. */
    public static byte[] written(IoConsumer<StreamOutput> body) throws IOException {
        Sink sink = sink();
        StreamOutput out = new StreamOutput(sink);
        body.accept(out);
        out.flush();
        return sink.toByteArray();
    }

    /** Like {@link #written} with the framing writer. */
    public static byte[] framed(IoConsumer<MigrationStreamWriter> body) throws IOException {
        return written(out -> body.accept(new MigrationStreamWriter(out)));
    }

    @FunctionalInterface
    public interface IoConsumer<T> {
        void accept(T t) throws IOException;
    }
}

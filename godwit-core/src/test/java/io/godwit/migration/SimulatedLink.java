package io.godwit.migration;

import io.godwit.clock.VirtualClock;
import io.godwit.stream.ByteSink;
import io.godwit.stream.ByteSource;
import io.godwit.transport.Connection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A link of a given speed on virtual time: every buffer the source hands over advances the clock
 * by {@code bytes / bytesPerSecond}, exactly (sub-nanosecond remainders carry over). The bytes are
 * discarded unless {@link #capture()} was asked for. Buffers are 4 KiB, so time moves in small
 * steps. The return path is whatever {@link ByteSource} the test gives, or none.
 */
public final class SimulatedLink implements Connection {
    public static final int BUFFER_SIZE = 4096;

    private final VirtualClock clock;
    private final ByteSource input;
    private final Sink sink = new Sink();
    private volatile long bytesPerSecond;
    private long remainder; // bytes x 1e9 not yet turned into whole nanoseconds
    private long bytesSent;
    private long nanosSpent;
    private volatile boolean shut;
    private ByteArrayOutputStream captured;

    /** A link with no return path: reads see the end of the stream at once. */
    public SimulatedLink(VirtualClock clock, long bytesPerSecond) {
        this(clock, bytesPerSecond, new NoReturnPath());
    }

    public SimulatedLink(VirtualClock clock, long bytesPerSecond, ByteSource input) {
        this.clock = clock;
        this.input = input;
        setBytesPerSecond(bytesPerSecond);
    }

    /** Changes the speed from the next buffer on. */
    public void setBytesPerSecond(long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("link speed must be positive: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        remainder = 0;
    }

    /** Keeps a copy of every byte sent, for tests that read the stream back. */
    public SimulatedLink capture() {
        captured = new ByteArrayOutputStream();
        return this;
    }

    public byte[] captured() {
        return captured.toByteArray();
    }

    /** Bytes handed to the link so far. */
    public long bytesSent() {
        return bytesSent;
    }

    /** Virtual time the link has spent sending, in nanoseconds. */
    public long nanosSpent() {
        return nanosSpent;
    }

    public boolean isShut() {
        return shut;
    }

    @Override
    public ByteSink output() {
        return sink;
    }

    @Override
    public ByteSource input() {
        return input;
    }

    @Override
    public String uri() {
        return "sim:" + bytesPerSecond;
    }

    @Override
    public boolean bidirectional() {
        return true;
    }

    @Override
    public void close() throws IOException {
        shut = true;
        input.close();
    }

    private void send(ByteBuffer filled) {
        int n = filled.remaining();
        if (captured != null) {
            byte[] copy = new byte[n];
            filled.duplicate().get(copy);
            captured.writeBytes(copy);
        }
        long scaled = n * 1_000_000_000L + remainder;
        long nanos = scaled / bytesPerSecond;
        remainder = scaled % bytesPerSecond;
        bytesSent += n;
        nanosSpent += nanos;
        clock.advance(nanos);
    }

    /** A return path that is at its end from the start. */
    private static final class NoReturnPath implements ByteSource {
        @Override
        public ByteBuffer next(ByteBuffer consumed) {
            return null;
        }

        @Override
        public void close() {}
    }

    private final class Sink implements ByteSink {
        private ByteBuffer buffer;

        @Override
        public ByteBuffer swap(ByteBuffer filled) throws IOException {
            if (shut) {
                throw new IOException("simulated link is shut down");
            }
            if (filled == null) {
                buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
                return buffer;
            }
            send(filled);
            return filled.clear();
        }

        @Override
        public void close() {
            shut = true;
        }
    }
}

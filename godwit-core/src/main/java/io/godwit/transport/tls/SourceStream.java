package io.godwit.transport.tls;

import io.godwit.stream.ByteSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;

/**
 * An InputStream over a {@link ByteSource}, for BouncyCastle's blocking TLS protocol. The end of
 * the source is thrown as {@link Ended}, not returned as -1: BouncyCastle fails the whole session
 * on an end without close_notify, but leaves it open after an InterruptedIOException, and the
 * destination must still answer on the return path after the source ended its stream (QEMU 7.2
 * sends no close_notify; TLS 1.2 has no half-close).
 */
final class SourceStream extends InputStream {
    /** The source ended. */
    static final class Ended extends InterruptedIOException {
        Ended() {
            super("end of stream");
        }
    }

    private final ByteSource source;
    private ByteBuffer current;
    private boolean ended;

    SourceStream(ByteSource source) {
        this.source = source;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            throw new Ended();
        }
        int n = Math.min(len, current.remaining());
        current.get(b, off, n);
        return n;
    }

    @Override
    public int available() {
        return current != null ? current.remaining() : 0;
    }

    private boolean fill() throws IOException {
        while (!ended && (current == null || !current.hasRemaining())) {
            current = source.next(current);
            ended = current == null;
        }
        return !ended;
    }
}

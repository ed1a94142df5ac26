package io.godwit.transport.tls;

import io.godwit.stream.ByteSink;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * An OutputStream over a {@link ByteSink}, for BouncyCastle's blocking TLS protocol. BouncyCastle
 * flushes after every record; while a bulk write is under way those flushes wait for the buffer to
 * fill, so a large write goes out in large pieces.
 */
final class SinkStream extends OutputStream {
    private final ByteSink sink;
    private ByteBuffer buffer;
    private volatile boolean bulk;

    SinkStream(ByteSink sink) {
        this.sink = sink;
    }

    void bulk(boolean on) {
        bulk = on;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (buffer == null) {
                buffer = sink.swap(null);
            }
            if (!buffer.hasRemaining()) {
                send();
            }
            int n = Math.min(len, buffer.remaining());
            buffer.put(b, off, n);
            off += n;
            len -= n;
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        if (!bulk && buffer != null && buffer.position() > 0) {
            send();
        }
    }

    private void send() throws IOException {
        buffer = sink.swap(buffer.flip());
    }
}

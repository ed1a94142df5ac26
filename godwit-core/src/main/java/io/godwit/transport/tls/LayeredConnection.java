package io.godwit.transport.tls;

import io.godwit.stream.ByteSink;
import io.godwit.stream.ByteSource;
import io.godwit.transport.Connection;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A connection that carries the stream through a record layer over another connection (the JDK's
 * TLS engine or BouncyCastle's PSK protocol): the sink and source go through {@link #write} and
 * {@link #read}; closing, shutting down and finishing go to the connection underneath.
 */
abstract class LayeredConnection implements Connection {
    protected final Connection inner;

    LayeredConnection(Connection inner) {
        this.inner = inner;
    }

    /** Sends the bytes of {@code filled} through the record layer and returns it cleared. */
    abstract ByteBuffer write(ByteBuffer filled) throws IOException;

    /** The next plaintext bytes, or null at the end of the stream. */
    abstract ByteBuffer read() throws IOException;

    @Override
    public ByteSink output() {
        return new ByteSink() {
            @Override
            public ByteBuffer swap(ByteBuffer filled) throws IOException {
                return write(filled);
            }

            @Override
            public void close() throws IOException {
                inner.output().close();
            }

            @Override
            public void shutdown() {
                inner.shutdown();
            }
        };
    }

    @Override
    public ByteSource input() {
        return new ByteSource() {
            @Override
            public ByteBuffer next(ByteBuffer consumed) throws IOException {
                return read();
            }

            @Override
            public void close() throws IOException {
                inner.input().close();
            }

            @Override
            public void shutdown() {
                inner.shutdown();
            }
        };
    }

    @Override
    public String uri() {
        return inner.uri();
    }

    @Override
    public void finish() throws IOException {
        inner.finish();
    }

    @Override
    public void shutdown() {
        inner.shutdown();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}

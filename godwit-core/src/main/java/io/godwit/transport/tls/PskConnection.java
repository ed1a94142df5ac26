package io.godwit.transport.tls;

import io.godwit.stream.ByteSink;
import io.godwit.stream.ByteSource;
import io.godwit.transport.Connection;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsNoCloseNotifyException;
import org.bouncycastle.tls.TlsProtocol;
import org.bouncycastle.tls.TlsServerProtocol;

/**
 * A TLS 1.2 session with a pre-shared key (BouncyCastle, blocking mode) over another connection's
 * byte streams. BouncyCastle serialises record writes itself and reads without that lock, so the
 * stream writer and the return-path reader may be different threads. Only this class and
 * {@link PskPeers} need BouncyCastle on the class path.
 */
final class PskConnection implements Connection {
    private static final int CHUNK = 64 << 10;

    private final Connection inner;
    private final TlsProtocol protocol;
    private final SinkStream sink;
    private final TlsEndpoint side;
    private final byte[] outChunk = new byte[CHUNK]; // writer thread
    private final byte[] inChunk = new byte[CHUNK]; // reader thread

    private PskConnection(Connection inner, TlsProtocol protocol, SinkStream sink, TlsEndpoint side) {
        this.inner = inner;
        this.protocol = protocol;
        this.sink = sink;
        this.side = side;
    }

    static PskConnection handshake(Connection inner, PskCreds creds) throws IOException {
        SourceStream in = new SourceStream(inner.input());
        SinkStream out = new SinkStream(inner.output());
        boolean server = creds.endpoint() == TlsEndpoint.SERVER;
        String[] user = {null};
        try {
            if (server) {
                TlsServerProtocol p = new TlsServerProtocol(in, out);
                p.accept(PskPeers.server(creds, user));
                return new PskConnection(inner, p, out, creds.endpoint());
            }
            TlsClientProtocol p = new TlsClientProtocol(in, out);
            p.connect(PskPeers.client(creds));
            return new PskConnection(inner, p, out, creds.endpoint());
        } catch (IOException e) {
            throw new IOException(handshakeFailure(e, creds, user[0], inner.uri()), e);
        }
    }

    private static String handshakeFailure(IOException e, PskCreds creds, String user, String uri) {
        String peer = creds.endpoint() == TlsEndpoint.SERVER ? "source" : "destination";
        String start = "TLS handshake with " + peer + " on " + uri + " failed: ";
        if (e instanceof TlsFatalAlertReceived r) {
            return start + TlsFailures.refusal(AlertDescription.getName(r.getAlertDescription()), creds.endpoint());
        }
        if (e instanceof TlsFatalAlert a && creds.endpoint() == TlsEndpoint.SERVER) {
            short d = a.getAlertDescription();
            if (d == AlertDescription.unknown_psk_identity) {
                return start + "PSK username " + user + " not found in " + creds.dir().resolve(PskCreds.KEYS);
            }
            if (d == AlertDescription.bad_record_mac || d == AlertDescription.decrypt_error) {
                return start + "the source's pre-shared key for " + user + " does not match "
                        + creds.dir().resolve(PskCreds.KEYS) + " (TLS alert " + AlertDescription.getName(d) + ")";
            }
        }
        return start + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
    }

    private IOException failure(IOException e) {
        String peer = side == TlsEndpoint.SERVER ? "source" : "destination";
        if (e instanceof TlsFatalAlertReceived r) {
            return new IOException("TLS session with " + peer + " on " + inner.uri() + " ended: "
                    + TlsFailures.refusal(AlertDescription.getName(r.getAlertDescription()), side), e);
        }
        return e;
    }

    private ByteBuffer write(ByteBuffer filled) throws IOException {
        if (filled == null) {
            return ByteBuffer.allocateDirect(1 << 20);
        }
        synchronized (outChunk) {
            sink.bulk(true);
            try {
                while (filled.hasRemaining()) {
                    int n = Math.min(outChunk.length, filled.remaining());
                    filled.get(outChunk, 0, n);
                    protocol.writeApplicationData(outChunk, 0, n);
                }
            } catch (IOException e) {
                throw failure(e);
            } finally {
                sink.bulk(false);
            }
            sink.flush();
        }
        return filled.clear();
    }

    private ByteBuffer read() throws IOException {
        synchronized (inChunk) {
            int n;
            try {
                n = protocol.readApplicationData(inChunk, 0, inChunk.length);
                while (n > 0 && n < inChunk.length && protocol.applicationDataAvailable() > 0) {
                    n += protocol.readApplicationData(inChunk, n, inChunk.length - n);
                }
            } catch (SourceStream.Ended | TlsNoCloseNotifyException e) {
                return null; // QEMU 7.2 ends its channels without close_notify
            } catch (IOException e) {
                throw failure(e);
            }
            return n < 0 ? null : ByteBuffer.wrap(inChunk, 0, n);
        }
    }

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

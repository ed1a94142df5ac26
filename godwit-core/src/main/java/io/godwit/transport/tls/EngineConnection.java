package io.godwit.transport.tls;

import io.godwit.stream.ByteSink;
import io.godwit.stream.ByteSource;
import io.godwit.transport.Connection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * A TLS session (JDK SSLEngine) over another connection's byte streams. The writer of the stream
 * and the reader of the other direction may be different threads (the return path): wrapping and
 * the inner sink are guarded by {@link #outLock}, unwrapping and the inner source by
 * {@link #inLock}. The end of our direction is a plain half-close, as QEMU 7.2 ends its TLS
 * channels (no close_notify); a peer's end without close_notify is the end of the stream, whose
 * own framing says whether anything is missing.
 */
final class EngineConnection implements Connection {
    private static final int APP_BUFFER = 256 << 10;
    /** How long a writer that failed waits for the reader to learn why from the peer's alert. */
    private static final long VERDICT_WAIT_SECONDS = 10;

    private final Connection inner;
    private final SSLEngine engine;
    private final TlsEndpoint side;
    private final int packetSize;
    private final Object outLock = new Object();
    private final ReentrantLock inLock = new ReentrantLock();
    private ByteBuffer netOut; // outLock: the inner sink's buffer being filled with records
    private final ByteBuffer records; // outLock: records just wrapped, on their way to netOut
    private final ByteBuffer netIn; // inLock: records not yet unwrapped, in read mode
    private final ByteBuffer appIn; // inLock: what input().next() hands out
    private ByteBuffer innerIn; // inLock: the inner source's current buffer
    private boolean inboundDone; // inLock
    private boolean receivedData; // inLock: any application data from the peer yet
    private volatile String peerRefusal;

    EngineConnection(Connection inner, SSLEngine engine, TlsEndpoint side) {
        this.inner = inner;
        this.engine = engine;
        this.side = side;
        this.packetSize = engine.getSession().getPacketBufferSize();
        // Heap buffers on the engine's side: the JDK's AES-GCM runs on arrays, and on direct buffers
        // it goes through temporary arrays and half the speed.
        this.records = ByteBuffer.allocate(APP_BUFFER + packetSize);
        this.netIn = ByteBuffer.allocate(APP_BUFFER + packetSize).flip();
        this.appIn = ByteBuffer.allocate(APP_BUFFER + engine.getSession().getApplicationBufferSize());
    }

    /** Runs the handshake on the calling thread; a refusal sends the alert and throws. */
    void handshake() throws IOException {
        try {
            engine.beginHandshake();
            HandshakeStatus hs = engine.getHandshakeStatus();
            while (hs != HandshakeStatus.FINISHED && hs != HandshakeStatus.NOT_HANDSHAKING) {
                hs = switch (hs) {
                    case NEED_WRAP -> wrapControl();
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> unwrapHandshake();
                    case NEED_TASK -> runTasks();
                    default -> throw new IllegalStateException("handshake status " + hs);
                };
            }
        } catch (SSLException e) {
            sendAlert();
            throw new IOException(TlsFailures.handshake(e, side, inner.uri()), e);
        }
    }

    /** The alert the engine holds after a failure; best effort, the session is over anyway. */
    private void sendAlert() {
        try {
            engine.closeOutbound();
            synchronized (outLock) {
                while (!engine.isOutboundDone()) {
                    SSLEngineResult r = engine.wrap(ByteBuffer.allocate(0), records);
                    flushNet();
                    if (r.bytesProduced() == 0) {
                        break;
                    }
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // the peer is gone or the engine has nothing to say
        }
    }

    private HandshakeStatus runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
        return engine.getHandshakeStatus();
    }

    /** Wraps what the engine has to say by itself (handshake, key update) and sends it. */
    private HandshakeStatus wrapControl() throws IOException {
        synchronized (outLock) {
            SSLEngineResult r = engine.wrap(ByteBuffer.allocate(0), records);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                flushNet();
                r = engine.wrap(ByteBuffer.allocate(0), records);
            }
            flushNet();
            if (r.getStatus() == SSLEngineResult.Status.CLOSED && r.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                throw new SSLException("the TLS session was closed during the handshake");
            }
            return r.getHandshakeStatus();
        }
    }

    private HandshakeStatus unwrapHandshake() throws IOException {
        inLock.lock();
        try {
            while (true) {
                SSLEngineResult r = engine.unwrap(netIn, appIn);
                switch (r.getStatus()) {
                    case BUFFER_UNDERFLOW -> {
                        if (!readMore()) {
                            throw new SSLException("the peer closed the connection during the TLS handshake");
                        }
                    }
                    case CLOSED -> throw new SSLException("the peer closed the TLS session during the handshake");
                    case BUFFER_OVERFLOW -> throw new SSLException("a TLS record larger than the session allows");
                    case OK -> {
                        return r.getHandshakeStatus();
                    }
                }
            }
        } finally {
            inLock.unlock();
        }
    }

    /** Adds bytes from the inner source to {@link #netIn}; false at its end. Holds inLock. */
    private boolean readMore() throws IOException {
        if (innerIn == null || !innerIn.hasRemaining()) {
            innerIn = inner.input().next(innerIn);
            if (innerIn == null) {
                return false;
            }
        }
        netIn.compact();
        int n = Math.min(netIn.remaining(), innerIn.remaining());
        netIn.put(netIn.position(), innerIn, innerIn.position(), n);
        netIn.position(netIn.position() + n);
        innerIn.position(innerIn.position() + n);
        netIn.flip();
        return true;
    }

    /** Copies the wrapped records into the inner sink's buffers, handing each on when full. Holds outLock. */
    private void moveRecords() throws IOException {
        records.flip();
        while (records.hasRemaining()) {
            if (netOut == null || !netOut.hasRemaining()) {
                netOut = netOut == null ? inner.output().swap(null) : inner.output().swap(netOut.flip());
            }
            int n = Math.min(netOut.remaining(), records.remaining());
            netOut.put(netOut.position(), records, records.position(), n);
            netOut.position(netOut.position() + n);
            records.position(records.position() + n);
        }
        records.clear();
    }

    /** Sends everything wrapped so far. Holds outLock. */
    private void flushNet() throws IOException {
        moveRecords();
        if (netOut != null && netOut.position() > 0) {
            netOut = inner.output().swap(netOut.flip());
        }
    }

    // ------------------------------------------------------------ data

    private ByteBuffer write(ByteBuffer filled) throws IOException {
        synchronized (outLock) {
            if (filled == null) {
                return ByteBuffer.allocateDirect(APP_BUFFER);
            }
            try {
                while (filled.hasRemaining()) {
                    SSLEngineResult r = engine.wrap(filled, records);
                    switch (r.getStatus()) {
                        case OK -> {
                            if (records.remaining() < packetSize) {
                                moveRecords();
                            }
                        }
                        case BUFFER_OVERFLOW -> moveRecords();
                        case CLOSED -> throw new IOException(closedMessage());
                        case BUFFER_UNDERFLOW -> throw new IllegalStateException("wrap underflow");
                    }
                    if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                        runTasks();
                    }
                }
                flushNet();
            } catch (SSLException e) {
                throw new IOException(TlsFailures.session(e, side, inner.uri()), e);
            } catch (IOException e) {
                String why = peerVerdict();
                throw why != null ? new IOException(why, e) : e;
            }
            return filled.clear();
        }
    }

    private ByteBuffer read() throws IOException {
        inLock.lock();
        try {
            return readLocked(true);
        } finally {
            inLock.unlock();
        }
    }

    /**
     * {@code inferRefusal}: whether an end before any data means the destination refused us. True
     * for the reader of the return path (it expects an answer); false when a failed writer looks
     * for an alert, since a destination that accepted may fail later without a word.
     */
    private ByteBuffer readLocked(boolean inferRefusal) throws IOException {
        if (inboundDone) {
            return null;
        }
        appIn.clear();
        while (true) {
            if (!netIn.hasRemaining()) {
                if (appIn.position() > 0) {
                    return appIn.flip();
                }
                if (!readMoreData(inferRefusal)) {
                    return end(inferRefusal);
                }
            }
            SSLEngineResult r;
            try {
                r = engine.unwrap(netIn, appIn);
            } catch (SSLException e) {
                String why = TlsFailures.session(e, side, inner.uri());
                if (TlsFailures.isPeerAlert(e)) {
                    peerRefusal = why;
                }
                throw new IOException(why, e);
            }
            if (r.bytesProduced() > 0) {
                receivedData = true;
            }
            switch (r.getStatus()) {
                case OK -> afterUnwrap(r.getHandshakeStatus());
                case BUFFER_UNDERFLOW -> {
                    if (appIn.position() > 0) {
                        return appIn.flip();
                    }
                    if (!readMoreData(inferRefusal)) {
                        return end(inferRefusal);
                    }
                }
                case BUFFER_OVERFLOW -> {
                    return appIn.flip(); // full: hand this out, unwrap the rest next time
                }
                case CLOSED -> {
                    inboundDone = true; // the peer's close_notify
                    return appIn.position() > 0 ? appIn.flip() : null;
                }
            }
        }
    }

    /** The end of the inner stream, with or without close_notify (QEMU 7.2 sends none). */
    private ByteBuffer end(boolean inferRefusal) throws IOException {
        inboundDone = true;
        if (appIn.position() > 0) {
            receivedData = true;
            return appIn.flip();
        }
        if (inferRefusal && !receivedData && side == TlsEndpoint.CLIENT) {
            throw silentRefusal(null);
        }
        return null;
    }

    /** {@link #readMore()} after the handshake: a source that hears nothing but the end was refused. */
    private boolean readMoreData(boolean inferRefusal) throws IOException {
        try {
            return readMore();
        } catch (IOException e) {
            if (inferRefusal && !receivedData && side == TlsEndpoint.CLIENT) {
                throw silentRefusal(e);
            }
            throw e;
        }
    }

    /**
     * QEMU checks the client's certificate after the handshake and, when it refuses, closes the
     * connection without an alert: all the source sees is the end of the session.
     */
    private IOException silentRefusal(IOException cause) {
        String why = "the destination on " + inner.uri() + " closed the TLS session before it said anything: it"
                + " may have refused this source's certificate (tls-authz), see the destination's log";
        peerRefusal = why;
        return new IOException(why, cause);
    }

    /** Post-handshake messages: a key update to answer, a delegated task. */
    private void afterUnwrap(HandshakeStatus hs) throws IOException {
        while (hs == HandshakeStatus.NEED_TASK || hs == HandshakeStatus.NEED_WRAP) {
            hs = hs == HandshakeStatus.NEED_TASK ? runTasks() : wrapControl();
        }
    }

    /**
     * After a failed write: the peer may have said why before it closed (a TLS 1.3 server refuses
     * a client certificate after the client's handshake is done). Reads what it sent, unless the
     * return-path reader already did.
     */
    private String peerVerdict() {
        if (peerRefusal != null) {
            return peerRefusal;
        }
        try {
            if (inLock.tryLock(VERDICT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                try {
                    while (peerRefusal == null && readLocked(false) != null) {
                        // discard: the session is over, only an alert matters now
                    }
                } catch (IOException ignored) {
                    // the reader recorded the alert if there was one
                } finally {
                    inLock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return peerRefusal;
    }

    private String closedMessage() {
        String why = peerRefusal;
        return why != null ? why : inner.uri() + ": the TLS session is closed";
    }

    // ------------------------------------------------------------ Connection

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
    public boolean peerMayRefuseAfterOpen() {
        return side == TlsEndpoint.CLIENT;
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

    /** The negotiated protocol and cipher suite, e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384". */
    String describeSession() {
        return engine.getSession().getProtocol() + " " + engine.getSession().getCipherSuite();
    }
}

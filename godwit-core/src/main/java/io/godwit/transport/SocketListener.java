package io.godwit.transport;

import static io.godwit.stream.StreamConstants.FILE_MAGIC;
import static io.godwit.stream.StreamConstants.FILE_VERSION;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A destination's tcp or unix listener. It keeps accepting until one connection has sent a
 * migration stream's header (QEVM, version 3) and serves that one: a connection that stays
 * silent cannot hold the port against the real source. Connections that send anything else, or
 * nothing within the idle timeout, are closed with a notice; so is the oldest one waiting when
 * more than {@link #MAX_WAITING} wait at once. A listener for a post-copy recovery takes a
 * connection that goes on mid-stream (no header) at its first byte.
 */
final class SocketListener implements Listener {
    static final int MAX_WAITING = 16;
    private static final int HEADER_BYTES = 8;

    private final ServerSocketChannel server;
    private final String address;
    private final LongSupplier idleTimeoutMs;
    private final Consumer<String> notices;
    private final boolean tls; // a TLS session opens the connection, not the stream header
    private final boolean midStream; // a resumed post-copy: no stream header comes
    private final Selector selector;
    private volatile boolean closed;
    private volatile BooleanSupplier keepForPreempt = () -> false; // accept() leaves the server open
    private volatile SocketChannel early; // a silent connection that came with the main one: the preempt channel

    /** A connection that has not sent its header yet. */
    private record Waiting(SocketChannel channel, SelectionKey key, ByteBuffer header, boolean expires, long deadline,
            String peer) {}

    SocketListener(ServerSocketChannel server, String address, LongSupplier idleTimeoutMs, Consumer<String> notices,
            boolean tls)
            throws IOException {
        this(server, address, idleTimeoutMs, notices, tls, false);
    }

    SocketListener(ServerSocketChannel server, String address, LongSupplier idleTimeoutMs, Consumer<String> notices,
            boolean tls, boolean midStream)
            throws IOException {
        this.midStream = midStream;
        this.server = server;
        this.address = address;
        this.idleTimeoutMs = idleTimeoutMs;
        this.notices = notices;
        this.tls = tls;
        this.selector = Selector.open();
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public Connection accept() throws IOException {
        return accept(0).main();
    }

    @Override
    public Accepted accept(int multifdChannels) throws IOException {
        if (multifdChannels > 0 && tls) {
            throw new IOException("capability 'multifd' with tls-creds is not supported by Godwit");
        }
        List<Waiting> waiting = new ArrayList<>();
        List<Waiting> channels = new ArrayList<>();
        expectChannels = multifdChannels;
        Waiting chosen = null;
        try {
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            while (chosen == null || channels.size() < multifdChannels) {
                if (closed) {
                    throw new IOException(address + ": stopped listening");
                }
                selector.select(closeExpired(waiting));
                for (SelectionKey k : selector.selectedKeys()) {
                    if (k.isValid() && k.isAcceptable()) {
                        acceptOne(waiting);
                    } else if (k.isValid() && k.isReadable()) {
                        Waiting w = readHeader(waiting, (Waiting) k.attachment(), chosen != null, channels);
                        if (w != null && isChannel(w.header())) {
                            channels.add(w);
                        } else if (w != null) {
                            chosen = w;
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            if (closed) {
                throw new IOException(address + ": stopped listening", e);
            }
            throw e;
        } finally {
            boolean complete = chosen != null && channels.size() >= multifdChannels;
            boolean keep = complete && keepForPreempt.getAsBoolean();
            for (Waiting w : waiting) {
                if (w != chosen && keep && early == null && w.header().position() == 0) {
                    early = w.channel(); // QEMU 7.2 opens the preempt channel at setup: silent, beside the main one
                } else if (w != chosen) {
                    closeQuietly(w.channel());
                }
            }
            if (!complete) {
                channels.forEach(w -> closeQuietly(w.channel()));
                if (chosen != null) {
                    closeQuietly(chosen.channel());
                }
            }
            selector.close(); // deregisters the chosen channel too
            if (!keep) {
                server.close(); // one migration per listen, as QEMU's -incoming
            }
        }
        List<Connection> multifd = new ArrayList<>();
        for (Waiting w : channels) {
            w.channel().configureBlocking(true);
            multifd.add(new SocketConnection(w.channel(), address + " (multifd " + w.peer() + ")", w.header().flip()));
        }
        chosen.channel().configureBlocking(true);
        return new Accepted(new SocketConnection(chosen.channel(), address, chosen.header().flip()), multifd);
    }

    private int expectChannels; // accept thread only

    /** A multifd channel opens with its init message: magic 0x11223344, version 1. */
    private static boolean isChannel(ByteBuffer h) {
        // a resumed post-copy stream is screened by one byte only
        return h.capacity() >= 8 && h.getInt(0) == MULTIFD_MAGIC && h.getInt(4) == 1;
    }

    private static final int MULTIFD_MAGIC = 0x11223344;

    private void acceptOne(List<Waiting> waiting) throws IOException {
        SocketChannel ch = server.accept();
        if (ch == null) {
            return;
        }
        if (ch.getLocalAddress() instanceof InetSocketAddress) {
            SocketOptions.forMigration(ch);
        }
        ch.configureBlocking(false);
        long idle = idleTimeoutMs.getAsLong();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(idle);
        SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
        String peer = String.valueOf(ch.getRemoteAddress());
        ByteBuffer opening = ByteBuffer.allocateDirect(midStream && !tls ? 1 : HEADER_BYTES);
        Waiting w = new Waiting(ch, key, opening, idle > 0, deadline, peer);
        key.attach(w);
        waiting.add(w);
        if (waiting.size() > MAX_WAITING) {
            Waiting oldest = waiting.removeFirst();
            drop(oldest, "more than " + MAX_WAITING + " connections waiting to send a stream header; this is the oldest");
        }
    }

    /**
     * With TLS the stream header comes inside the session: a client opens with a TLS record of
     * type handshake (22) and protocol major version 3 (SSL 3.0 to TLS 1.3 alike).
     */
    private static boolean opensTlsSession(ByteBuffer h) {
        return h.get(0) == 0x16 && h.get(1) == 0x03 && (h.get(2) & 0xff) <= 0x04;
    }

    /**
     * Reads what is there of {@code w}'s header; returns {@code w} once it has sent a valid one: a
     * stream header while no main connection was chosen, or a multifd init while channels are missing.
     */
    private Waiting readHeader(List<Waiting> waiting, Waiting w, boolean haveMain, List<Waiting> channels) {
        int n;
        try {
            n = w.channel().read(w.header());
        } catch (IOException e) {
            waiting.remove(w);
            drop(w, "read failed: " + Transports.reason(e));
            return null;
        }
        if (n < 0) {
            waiting.remove(w);
            drop(w, "it closed the connection before sending a stream header");
            return null;
        }
        if (w.header().hasRemaining()) {
            return null;
        }
        ByteBuffer h = w.header();
        boolean main = tls ? opensTlsSession(h) : midStream || h.getInt(0) == FILE_MAGIC && h.getInt(4) == FILE_VERSION;
        if (main && haveMain) {
            waiting.remove(w);
            drop(w, "a second main migration stream while the first one's multifd channels are awaited");
            return null;
        }
        boolean channel = !tls && isChannel(h);
        if (channel && channels.size() >= expectChannels) {
            waiting.remove(w);
            drop(w, expectChannels == 0 ? "a multifd channel, but capability 'multifd' is off here"
                    : "a multifd channel beyond multifd-channels " + expectChannels);
            return null;
        }
        if (main || channel) {
            waiting.remove(w);
            w.key().cancel();
            return w;
        }
        waiting.remove(w);
        byte[] got = new byte[HEADER_BYTES];
        h.get(0, got);
        drop(w, "it sent 0x" + HexFormat.of().formatHex(got) + (tls
                ? "; expected a TLS handshake record (0x16 0x03 ...), since tls-creds is set"
                : "; expected a migration stream header 0x5145564d00000003 (QEVM, version 3)"));
        return null;
    }

    /** Closes the connections past their idle deadline; returns ms until the next one (0: none). */
    private long closeExpired(List<Waiting> waiting) {
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (Waiting w : List.copyOf(waiting)) {
            if (!w.expires()) {
                continue;
            }
            if (now - w.deadline() >= 0) {
                waiting.remove(w);
                drop(w, "no stream header within " + idleTimeoutMs.getAsLong() + " ms (x-incoming-idle-timeout)");
            } else {
                next = Math.min(next, w.deadline() - now);
            }
        }
        return next == Long.MAX_VALUE ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(next) + 1);
    }

    private void drop(Waiting w, String why) {
        notices.accept("incoming connection on " + address + " from " + w.peer() + " closed: " + why);
        w.key().cancel();
        closeQuietly(w.channel());
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public boolean keepForPreempt(BooleanSupplier when) {
        keepForPreempt = when;
        return true;
    }

    /** QEMU 8+: once the main channel is there, the next connection is the preempt channel. */
    @Override
    public Connection acceptPreempt() throws IOException {
        try {
            SocketChannel ch = early;
            early = null;
            if (ch == null) {
                server.configureBlocking(true);
                ch = server.accept();
            }
            ch.configureBlocking(true);
            if (ch.getLocalAddress() instanceof InetSocketAddress) {
                SocketOptions.forMigration(ch);
            }
            return new SocketConnection(ch, address);
        } catch (IOException e) {
            throw closed ? new IOException(address + ": stopped listening", e) : e;
        } finally {
            server.close();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        SocketChannel e = early;
        if (e != null) {
            closeQuietly(e); // kept for a preempt channel that was never asked for
        }
        selector.wakeup();
        server.close();
    }
}

package io.godwit.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/** Opens migration channels from URIs: the source connects, the destination listens. */
public final class Transports {
    private Transports() {}

    /** The source side: connects to (or creates, for file:, or starts, for exec:) the destination. */
    public static Connection connect(String uri) throws IOException {
        return connect(uri, 0, new ConnectAttempt());
    }

    /**
     * As {@link #connect(String)}, giving up a tcp or unix connect after {@code timeoutMs} (0: when
     * the kernel does) or as soon as {@code attempt} is cancelled from another thread.
     */
    public static Connection connect(String uri, long timeoutMs, ConnectAttempt attempt) throws IOException {
        MigrationUri u = MigrationUri.parse(uri);
        return switch (u.scheme()) {
            case TCP -> new SocketConnection(SocketDialer.connect(new InetSocketAddress(u.host(), u.port()), uri,
                    timeoutMs, attempt), uri);
            case UNIX -> new SocketConnection(SocketDialer.connect(UnixDomainSocketAddress.of(u.path()), uri,
                    timeoutMs, attempt), uri);
            case FILE -> FileConnection.forWriting(u.path(), uri);
            case EXEC -> ExecConnection.start(u.command(), uri);
        };
    }

    /** The destination side: listens on (or opens, for file:, or starts, for exec:) the URI. */
    public static Listener listen(String uri) throws IOException {
        return listen(uri, () -> 0, notice -> System.err.println("godwit: " + notice));
    }

    /**
     * As {@link #listen(String)}; a tcp or unix listener closes a connection that sends no stream
     * header within {@code idleTimeoutMs} (read when it connects; 0: no limit), and tells
     * {@code notices} about every connection it closes.
     */
    public static Listener listen(String uri, LongSupplier idleTimeoutMs, Consumer<String> notices)
            throws IOException {
        return listen(uri, idleTimeoutMs, notices, false);
    }

    /**
     * As {@link #listen(String, LongSupplier, Consumer)}; with {@code tls} a connection must open
     * with a TLS handshake instead of the stream header, which comes inside the session.
     */
    public static Listener listen(String uri, LongSupplier idleTimeoutMs, Consumer<String> notices, boolean tls)
            throws IOException {
        return listen(uri, idleTimeoutMs, notices, tls, false);
    }

    /**
     * migrate-recover's listener: the connection of a resumed post-copy goes on mid-stream, with no
     * stream header, so a tcp or unix listener takes it at its first byte (or its TLS handshake).
     */
    public static Listener listenForRecovery(String uri, boolean tls) throws IOException {
        return listen(uri, () -> 0, notice -> System.err.println("godwit: " + notice), tls, true);
    }

    private static Listener listen(String uri, LongSupplier idleTimeoutMs, Consumer<String> notices, boolean tls,
            boolean midStream) throws IOException {
        MigrationUri u = MigrationUri.parse(uri);
        return switch (u.scheme()) {
            case TCP -> {
                ServerSocketChannel server = bound(ServerSocketChannel.open(), new InetSocketAddress(u.host(), u.port()),
                        uri);
                InetSocketAddress at = (InetSocketAddress) server.getLocalAddress();
                String host = at.getAddress().getHostAddress();
                yield new SocketListener(server, "tcp:" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                        + at.getPort(), idleTimeoutMs, notices, tls, midStream);
            }
            case UNIX -> {
                removeStaleSocket(u);
                ServerSocketChannel server = bound(ServerSocketChannel.open(StandardProtocolFamily.UNIX),
                        UnixDomainSocketAddress.of(u.path()), uri);
                yield new SocketListener(server, uri, idleTimeoutMs, notices, tls, midStream);
            }
            case FILE -> ready(FileConnection.forReading(u.path(), uri));
            case EXEC -> ready(ExecConnection.start(u.command(), uri));
        };
    }

    /** Binds with a backlog that lets a few connections wait while the listener sorts them out. */
    private static ServerSocketChannel bound(ServerSocketChannel server, java.net.SocketAddress at, String uri)
            throws IOException {
        try {
            server.bind(at, SocketListener.MAX_WAITING);
            return server;
        } catch (IOException e) {
            server.close();
            throw new IOException(uri + ": cannot listen: " + reason(e), e);
        }
    }

    private static void removeStaleSocket(MigrationUri u) throws IOException {
        if (Files.exists(u.path())) {
            BasicFileAttributes a = Files.readAttributes(u.path(), BasicFileAttributes.class);
            if (!a.isOther()) {
                throw new IOException(u + ": cannot listen: " + u.path() + " exists and is not a socket");
            }
            Files.delete(u.path());
        }
    }

    private static Listener ready(Connection c) {
        return new Listener() {
            @Override
            public Connection accept() {
                return c;
            }

            @Override
            public String address() {
                return c.uri();
            }

            @Override
            public void close() {
                // the connection is handed over by accept()
            }
        };
    }

    /** The cause of an I/O error in a few words. */
    static String reason(IOException e) {
        String m = e.getMessage();
        return m != null ? m : e.getClass().getSimpleName();
    }
}

package io.godwit.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;

/** Opens migration channels from URIs: the source connects, the destination listens. */
public final class Transports {
    private Transports() {}

    /** The source side: connects to (or creates, for file:, or starts, for exec:) the destination. */
    public static Connection connect(String uri) throws IOException {
        MigrationUri u = MigrationUri.parse(uri);
        return switch (u.scheme()) {
            case TCP -> {
                try {
                    SocketChannel ch = SocketChannel.open(new InetSocketAddress(u.host(), u.port()));
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    yield new SocketConnection(ch, uri);
                } catch (IOException e) {
                    throw new IOException(uri + ": cannot connect: " + reason(e), e);
                }
            }
            case UNIX -> {
                try {
                    yield new SocketConnection(SocketChannel.open(UnixDomainSocketAddress.of(u.path())), uri);
                } catch (IOException e) {
                    throw new IOException(uri + ": cannot connect: " + reason(e), e);
                }
            }
            case FILE -> FileConnection.forWriting(u.path(), uri);
            case EXEC -> ExecConnection.start(u.command(), uri);
        };
    }

    /** The destination side: listens on (or opens, for file:, or starts, for exec:) the URI. */
    public static Listener listen(String uri) throws IOException {
        MigrationUri u = MigrationUri.parse(uri);
        return switch (u.scheme()) {
            case TCP -> {
                ServerSocketChannel server = ServerSocketChannel.open();
                try {
                    server.bind(new InetSocketAddress(u.host(), u.port()), 1);
                } catch (IOException e) {
                    server.close();
                    throw new IOException(uri + ": cannot listen: " + reason(e), e);
                }
                InetSocketAddress bound = (InetSocketAddress) server.getLocalAddress();
                String host = bound.getAddress().getHostAddress();
                yield new SocketListener(server, "tcp:" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                        + bound.getPort());
            }
            case UNIX -> {
                removeStaleSocket(u);
                ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    server.bind(UnixDomainSocketAddress.of(u.path()), 1);
                } catch (IOException e) {
                    server.close();
                    throw new IOException(uri + ": cannot listen: " + reason(e), e);
                }
                yield new SocketListener(server, uri);
            }
            case FILE -> ready(FileConnection.forReading(u.path(), uri));
            case EXEC -> ready(ExecConnection.start(u.command(), uri));
        };
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

    private record SocketListener(ServerSocketChannel server, String address) implements Listener {
        @Override
        public Connection accept() throws IOException {
            try {
                SocketChannel ch = server.accept();
                if (ch.getLocalAddress() instanceof InetSocketAddress) {
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
                return new SocketConnection(ch, address);
            } finally {
                server.close(); // one migration per listen, as QEMU's -incoming
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}

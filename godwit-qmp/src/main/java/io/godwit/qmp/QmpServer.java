package io.godwit.qmp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.godwit.monitor.Monitor;
import io.godwit.transport.MigrationUri;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A QMP server on a unix or tcp socket, one JSON object per line each way. Clients get the
 * greeting, must negotiate with qmp_capabilities, then may run commands; every client that has
 * negotiated receives the events. Bad input gets an error reply and the session goes on, except
 * for a command over {@link QmpLineReader#MAX_COMMAND_BYTES}, which is answered and then hung up
 * on. Each client has its own threads ({@link ClientConnection}); nothing waits for a client
 * that does not read, and one that leaves too much unread is disconnected.
 */
public final class QmpServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Runnable onQuit;
    private final CopyOnWriteArrayList<ClientConnection> clients = new CopyOnWriteArrayList<>();
    private ServerSocketChannel server;
    private Path socketPath;
    private QmpCommands commands;
    private String address;
    private volatile boolean closed;

    /** @param onQuit run after the reply to "quit" has been written (or could not be in time) */
    public QmpServer(Runnable onQuit) {
        this.onQuit = onQuit;
    }

    /** Starts listening on {@code unix:PATH} or {@code tcp:HOST:PORT} and serving {@code monitor}. */
    public QmpServer listen(String qmpAddress, Monitor monitor) throws IOException {
        MigrationUri u = MigrationUri.parse(qmpAddress);
        commands = new QmpCommands(monitor);
        switch (u.scheme()) {
            case UNIX -> {
                if (Files.exists(u.path())) {
                    if (!Files.readAttributes(u.path(), java.nio.file.attribute.BasicFileAttributes.class).isOther()) {
                        throw new IOException(qmpAddress + ": " + u.path() + " exists and is not a socket");
                    }
                    Files.delete(u.path());
                }
                server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                server.bind(UnixDomainSocketAddress.of(u.path()));
                socketPath = u.path();
                address = qmpAddress;
            }
            case TCP -> {
                server = ServerSocketChannel.open();
                server.bind(new InetSocketAddress(u.host(), u.port()));
                address = "tcp:" + u.host() + ":" + ((InetSocketAddress) server.getLocalAddress()).getPort();
            }
            default -> throw new IllegalArgumentException("QMP address must be unix:PATH or tcp:HOST:PORT, not "
                    + qmpAddress);
        }
        Thread.ofPlatform().daemon().name("godwit-qmp-accept").start(this::acceptLoop);
        return this;
    }

    /** The address listened on (a tcp port 0 becomes the chosen port). */
    public String address() {
        return address;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel ch = server.accept();
                ClientConnection c = new ClientConnection(ch, commands, onQuit, clients::remove);
                clients.add(c);
                c.start();
                if (closed) {
                    c.close(); // close() ran between accept and add, and missed this one
                }
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("godwit: QMP accept failed: " + e.getMessage());
                }
                return;
            }
        }
    }

    /**
     * Sends an event to every client that has negotiated capabilities. Only queues it: safe to
     * call from the migration thread, it never waits for a client.
     */
    public void emit(String name, Map<String, Object> data) {
        java.time.Instant now = java.time.Instant.now();
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("event", name);
        if (!data.isEmpty()) {
            ev.put("data", data);
        }
        ev.put("timestamp", Map.of("seconds", now.getEpochSecond(), "microseconds", now.getNano() / 1000));
        byte[] frame = QmpSession.frame(ev);
        for (ClientConnection c : clients) {
            if (c.negotiated()) {
                c.send(frame);
            }
        }
    }

    /** Clients connected now (for tests). */
    int clientCount() {
        return clients.size();
    }

    static Map<String, Object> version() {
        Map<String, Object> qemu = new LinkedHashMap<>();
        qemu.put("micro", 0);
        qemu.put("minor", 2);
        qemu.put("major", 7);
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("qemu", qemu);
        String own = QmpServer.class.getPackage().getImplementationVersion();
        v.put("package", "godwit " + (own != null ? own : "dev"));
        return v;
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (server != null) {
                server.close();
            }
            if (socketPath != null) {
                Files.deleteIfExists(socketPath);
            }
        } catch (IOException ignored) {
            // shutting down
        }
        for (ClientConnection c : clients) {
            c.close();
        }
    }
}

package io.godwit.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.godwit.monitor.Monitor;
import io.godwit.transport.MigrationUri;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A QMP server on a unix or tcp socket, one JSON object per line each way. Clients get the
 * greeting, must negotiate with qmp_capabilities, then may run commands; every client that has
 * negotiated receives the events. Bad input gets an error reply, never a dropped connection.
 */
public final class QmpServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> REQUEST_KEYS = Set.of("execute", "arguments", "id", "exec-oob");

    private final Runnable onQuit;
    private final CopyOnWriteArrayList<Client> clients = new CopyOnWriteArrayList<>();
    private ServerSocketChannel server;
    private Path socketPath;
    private QmpCommands commands;
    private String address;
    private volatile boolean closed;

    /** @param onQuit run after the reply to "quit" has been sent */
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
                Client c = new Client(ch);
                clients.add(c);
                Thread.ofVirtual().name("godwit-qmp-client").start(c::serve);
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("godwit: QMP accept failed: " + e.getMessage());
                }
                return;
            }
        }
    }

    /** Sends an event to every client that has negotiated capabilities. */
    public void emit(String name, Map<String, Object> data) {
        java.time.Instant now = java.time.Instant.now();
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("event", name);
        if (!data.isEmpty()) {
            ev.put("data", data);
        }
        ev.put("timestamp", Map.of("seconds", now.getEpochSecond(), "microseconds", now.getNano() / 1000));
        for (Client c : clients) {
            if (c.negotiated) {
                c.send(ev);
            }
        }
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
        for (Client c : clients) {
            c.close();
        }
    }

    private final class Client {
        private final SocketChannel channel;
        private final OutputStream out;
        private volatile boolean negotiated;

        Client(SocketChannel channel) {
            this.channel = channel;
            this.out = Channels.newOutputStream(channel);
        }

        void serve() {
            QmpLineReader in = new QmpLineReader(Channels.newInputStream(channel), QmpLineReader.MAX_COMMAND_BYTES);
            try {
                send(Map.of("QMP", Map.of("version", version(), "capabilities", java.util.List.of("oob"))));
                byte[] line;
                while ((line = in.next()) != null) {
                    handle(line);
                }
            } catch (QmpLineReader.TooLongException e) {
                // the rest of the line cannot be told from the next command: answer, then hang up
                reply(null, null, QmpError.generic(e.getMessage()));
            } catch (IOException e) {
                // the client went away
            } finally {
                close();
            }
        }

        private void handle(byte[] line) {
            JsonNode req;
            try {
                req = QmpRequestParser.parse(line);
            } catch (QmpError e) {
                reply(null, null, e);
                return;
            }
            if (req == null) {
                return; // a blank line
            }
            JsonNode id = req != null && req.isObject() ? req.get("id") : null;
            try {
                reply(id, run(req), null);
            } catch (QmpError e) {
                reply(id, null, e);
            } catch (RuntimeException e) {
                reply(id, null, QmpError.generic(e.getMessage() != null ? e.getMessage() : e.toString()));
            }
        }

        private Object run(JsonNode req) {
            if (req == null || !req.isObject()) {
                throw QmpError.generic("QMP input must be a JSON object");
            }
            for (Iterator<String> it = req.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!REQUEST_KEYS.contains(k)) {
                    throw QmpError.generic("QMP input member '" + k + "' is unexpected");
                }
            }
            if (req.has("exec-oob")) {
                throw QmpError.generic("Out-of-band execution is not supported");
            }
            JsonNode exec = req.get("execute");
            if (exec == null) {
                throw QmpError.generic("QMP input lacks member 'execute'");
            }
            if (!exec.isTextual()) {
                throw QmpError.generic("QMP input member 'execute' must be a string");
            }
            String name = exec.asText();
            if (name.equals("qmp_capabilities")) {
                if (negotiated) {
                    throw new QmpError("CommandNotFound", "Capabilities negotiation is already complete, command ignored");
                }
                Args.of(req.get("arguments"), Set.of("enable"));
                negotiated = true;
                return Map.of();
            }
            if (!negotiated) {
                throw new QmpError("CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'");
            }
            Object r = commands.execute(name, req.get("arguments"));
            if (name.equals("quit")) {
                quitAfterReply = true;
            }
            return r;
        }

        private boolean quitAfterReply;

        private void reply(JsonNode id, Object result, QmpError error) {
            ObjectNode r = JSON.createObjectNode();
            if (error != null) {
                ObjectNode e = r.putObject("error");
                e.put("class", error.errorClass());
                e.put("desc", error.getMessage());
            } else {
                r.set("return", JSON.valueToTree(result));
            }
            if (id != null) {
                r.set("id", id);
            }
            send(r);
            if (quitAfterReply) {
                quitAfterReply = false;
                onQuit.run();
            }
        }

        synchronized void send(Object message) {
            try {
                out.write(JSON.writeValueAsBytes(message));
                out.write('\r');
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                close();
            }
        }

        void close() {
            clients.remove(this);
            try {
                channel.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }
}

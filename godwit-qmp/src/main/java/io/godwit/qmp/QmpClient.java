package io.godwit.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.transport.MigrationUri;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A QMP client: connects, negotiates, runs commands one at a time, and collects events. What the
 * server sends is bounded like what a server reads: a line of at most {@link #MAX_LINE_BYTES}
 * (else the connection is closed), at most {@link #MAX_EVENTS} events kept (the oldest go first).
 */
public final class QmpClient implements AutoCloseable {
    static final int MAX_LINE_BYTES = 16 << 20;
    static final int MAX_EVENTS = 4096;
    private static final int MAX_UNREAD_REPLIES = 64;
    private static final JsonNode CLOSED = QmpServer.JSON.createObjectNode().put("closed", true);

    private final SocketChannel channel;
    private final OutputStream out;
    private final BlockingQueue<JsonNode> replies = new LinkedBlockingQueue<>(MAX_UNREAD_REPLIES + 1);
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>(MAX_EVENTS);
    private final JsonNode greeting;
    private final String address;

    private QmpClient(SocketChannel channel, String address) throws IOException {
        this.channel = channel;
        this.address = address;
        this.out = Channels.newOutputStream(channel);
        QmpLineReader in = new QmpLineReader(Channels.newInputStream(channel), MAX_LINE_BYTES);
        byte[] first = in.next();
        if (first == null) {
            throw new IOException(address + ": closed before the QMP greeting");
        }
        JsonNode hello;
        try {
            hello = QmpServer.JSON.readTree(first);
        } catch (IOException e) {
            hello = null;
        }
        if (hello == null || !hello.has("QMP")) {
            String shown = new String(first, 0, Math.min(first.length, 200), StandardCharsets.UTF_8);
            throw new IOException(address + ": not a QMP server (greeting: " + shown + ")");
        }
        greeting = hello;
        Thread.ofPlatform().daemon().name("godwit-qmp-client").start(() -> read(in));
    }

    /** Connects to {@code unix:PATH} or {@code tcp:HOST:PORT} and negotiates capabilities. */
    public static QmpClient connect(String address) throws IOException {
        MigrationUri u = MigrationUri.parse(address);
        SocketChannel ch;
        try {
            ch = switch (u.scheme()) {
                case UNIX -> SocketChannel.open(UnixDomainSocketAddress.of(u.path()));
                case TCP -> SocketChannel.open(new InetSocketAddress(u.host(), u.port()));
                default -> throw new IllegalArgumentException("QMP address must be unix:PATH or tcp:HOST:PORT");
            };
        } catch (IOException e) {
            throw new IOException(address + ": cannot connect to QMP: " + e.getMessage(), e);
        }
        try {
            QmpClient c = new QmpClient(ch, address);
            c.execute("qmp_capabilities");
            return c;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private void read(QmpLineReader in) {
        try {
            for (byte[] line = in.next(); line != null; line = in.next()) {
                JsonNode n = QmpServer.JSON.readTree(line);
                if (n.has("event")) {
                    while (!events.offer(n)) {
                        events.poll(); // nobody reads them: keep the newest
                    }
                } else if (replies.size() >= MAX_UNREAD_REPLIES) {
                    break; // replies to nothing asked: not a QMP server to trust
                } else {
                    replies.add(n);
                }
            }
        } catch (IOException e) {
            // closed, or a line too long or not JSON: the connection is over either way
        } finally {
            closeQuietly();
            replies.offer(CLOSED);
        }
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    public JsonNode greeting() {
        return greeting;
    }

    public JsonNode execute(String command) throws IOException {
        return execute(command, null);
    }

    /** Runs a command and returns its "return" value; an error reply throws {@link QmpError}. */
    public JsonNode execute(String command, Map<String, ?> arguments) throws IOException {
        Map<String, Object> req = new java.util.LinkedHashMap<>();
        req.put("execute", command);
        if (arguments != null) {
            req.put("arguments", arguments);
        }
        JsonNode reply = send(QmpServer.JSON.writeValueAsString(req));
        if (reply.has("error")) {
            throw new QmpError(reply.path("error").path("class").asText(), reply.path("error").path("desc").asText());
        }
        return reply.get("return");
    }

    /** Sends one raw line and returns the whole reply object. */
    public synchronized JsonNode send(String line) throws IOException {
        out.write((line.strip() + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        try {
            JsonNode r = replies.poll(5, TimeUnit.MINUTES);
            if (r == null || r == CLOSED) {
                replies.offer(CLOSED);
                throw new IOException(address + ": QMP connection closed");
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for a QMP reply", e);
        }
    }

    /** Waits for the next event named {@code name}, dropping others; null on timeout. */
    public JsonNode awaitEvent(String name, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode e = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null || e.path("event").asText().equals(name)) {
                return e;
            }
        }
    }

    /** The events received so far, removed from the queue. */
    public List<JsonNode> drainEvents() {
        List<JsonNode> l = new ArrayList<>();
        events.drainTo(l);
        return l;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

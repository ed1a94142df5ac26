package io.godwit.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.qmp.QmpWireTest.Session;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that do not read what the server sends them: nobody waits for them, neither the thread
 * that emits events (the migration thread) nor other clients, and what piles up for them is
 * bounded; past the bound they are disconnected.
 */
class QmpSlowClientTest {
    /** Only a guard against hanging for ever; a working server is done in milliseconds. */
    private static final Duration HANG = Duration.ofSeconds(60);
    private static final String CAPS = "{\"execute\": \"query-migrate-capabilities\"}\n";

    @TempDir
    Path dir;

    @Test
    void emittingEventsToAClientThatDoesNotReadReturnsAndDisconnectsIt() throws Exception {
        try (ServedMachine m = ServedMachine.destination(dir, "m", 1 << 20); Session stalled = new Session(m.socket)) {
            stalled.read();
            stalled.call("{\"execute\": \"qmp_capabilities\"}");
            Map<String, Object> data = Map.of("padding", "x".repeat(4096));
            int events = (int) (4 * OutboundQueue.MAX_QUEUED_BYTES / 4096);

            long start = System.nanoTime();
            assertTimeoutPreemptively(HANG, () -> {
                for (int i = 0; i < events; i++) {
                    m.server.emit("X-PADDING", data);
                }
            }, "emit waited for a client that does not read");
            System.out.printf("emitting %d MiB of events to a client that does not read took %d ms%n",
                    events * 4096L >> 20, (System.nanoTime() - start) / 1_000_000);

            long received = assertTimeoutPreemptively(HANG, stalled::linesUntilClosed);
            assertThat(received).as("the client was disconnected, not sent everything").isLessThan(events);
            try (Session other = new Session(m.socket)) {
                other.read();
                assertThat(other.call("{\"execute\": \"qmp_capabilities\"}").has("return")).isTrue();
                m.server.emit("X-AFTER", Map.of());
                assertThat(other.read().path("event").asText()).isEqualTo("X-AFTER");
            }
        }
    }

    @Test
    void migrationCompletesWhileAClientSendsCommandsAndNeverReads() throws Exception {
        try (ServedMachine src = ServedMachine.source(dir, "src", 16 << 20);
                ServedMachine dst = ServedMachine.destination(dir, "dst", 16 << 20);
                Session s = new Session(src.socket);
                Session d = new Session(dst.socket);
                Session stalled = new Session(src.socket)) {
            for (Session x : List.of(s, d, stalled)) {
                x.read();
                x.call("{\"execute\": \"qmp_capabilities\"}");
            }
            s.call("{\"execute\": \"migrate-set-capabilities\", \"arguments\": {\"capabilities\": ["
                    + "{\"capability\": \"events\", \"state\": true}, {\"capability\": \"return-path\", \"state\": true}]}}");
            int replyBytes = s.call(CAPS.strip()).toString().length() + 2;

            // Half the queue bound in replies: far more than the socket buffers hold, so the
            // server's writes to this client are stuck from here on, but not yet over the bound.
            sendIgnoringDisconnect(stalled, CAPS.repeat((int) (OutboundQueue.MAX_QUEUED_BYTES / 2 / replyBytes))
                    + "{\"execute\": \"migrate-set-parameters\", \"arguments\": {\"downtime-limit\": 301}}\n");
            awaitDowntimeLimit(s, 301);

            String sock = dir.resolve("mig.sock").toString();
            assertThat(d.call("{\"execute\": \"migrate-incoming\", \"arguments\": {\"uri\": \"unix:" + sock + "\"}}")
                    .has("return")).isTrue();
            assertThat(s.call("{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"unix:" + sock + "\"}}")
                    .has("return")).isTrue();
            JsonNode status = awaitEnd(s);
            assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("completed");
            System.out.printf("migration beside a client that does not read: total-time %d ms, downtime %d ms%n",
                    status.path("total-time").asLong(), status.path("downtime").asLong());
            s.call("{\"execute\": \"query-status\"}");
            assertThat(s.events.stream().map(e -> e.path("event").asText())).contains("STOP", "MIGRATION");

            assertThat(src.server.clientCount()).as("the silent client stayed connected throughout").isEqualTo(2);

            // It goes on sending and never reads: past the bound, the server hangs up on it.
            long sent = assertTimeoutPreemptively(HANG, () -> sendUntilDisconnected(stalled, CAPS.repeat(100)));
            long received = assertTimeoutPreemptively(HANG, stalled::linesUntilClosed);
            assertThat(received).as("the client was disconnected, not sent everything").isLessThan(sent * 100);
            long deadline = System.nanoTime() + HANG.toNanos();
            while (src.server.clientCount() != 1 && System.nanoTime() < deadline) {
                Thread.sleep(1); // the server forgets the client just after closing its socket
            }
            assertThat(src.server.clientCount()).isEqualTo(1);
            assertThat(s.call("{\"execute\": \"query-status\"}").path("return").path("status").asText())
                    .isEqualTo("postmigrate");
        }
    }

    /** Writes {@code text}; a server that has hung up already makes the write fail, which is fine. */
    static void sendIgnoringDisconnect(Session x, String text) {
        try {
            x.out.write(text.getBytes(StandardCharsets.UTF_8));
            x.out.flush();
        } catch (IOException e) {
            // disconnected
        }
    }

    /** Sends {@code batch} over and over until the server hangs up; returns how many times it went. */
    private static long sendUntilDisconnected(Session x, String batch) {
        byte[] b = batch.getBytes(StandardCharsets.UTF_8);
        long sent = 0;
        try {
            while (true) {
                x.out.write(b);
                x.out.flush();
                sent++;
            }
        } catch (IOException e) {
            return sent;
        }
    }

    private static void awaitDowntimeLimit(Session s, long ms) throws Exception {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (s.call("{\"execute\": \"query-migrate-parameters\"}").path("return").path("downtime-limit").asLong()
                != ms) {
            assertThat(System.nanoTime()).as("the server went on reading the silent client's commands")
                    .isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static JsonNode awaitEnd(Session s) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            JsonNode status = s.call("{\"execute\": \"query-migrate\"}").path("return");
            if (List.of("completed", "failed", "cancelled").contains(status.path("status").asText())) {
                return status;
            }
            assertThat(System.nanoTime()).as("the migration ended in time; last: " + status).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}

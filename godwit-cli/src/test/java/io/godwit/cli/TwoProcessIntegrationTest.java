package io.godwit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.launch.GodwitProcess;
import io.godwit.qmp.QmpClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Migrations between real godwit processes over real sockets, driven over QMP. */
class TwoProcessIntegrationTest {
    private static final Duration START = Duration.ofMinutes(1);
    private static final String RAM = "64M";

    @TempDir
    Path dir;

    private GodwitProcess source() throws Exception {
        return Main.LAUNCHER.start(dir, "source", List.of("--ram", RAM, "--workload", "ab:64M",
                "--workload", "random:16M"), START);
    }

    private GodwitProcess destination(String name, String incoming) throws Exception {
        return Main.LAUNCHER.start(dir, name, List.of("--ram", RAM, "--incoming", incoming), START);
    }

    private static String incomingUri(GodwitProcess dst) throws IOException {
        return dst.incomingUri();
    }

    private static void set(QmpClient c, long maxBandwidth, long downtimeMs, boolean returnPath) throws IOException {
        c.execute("migrate-set-capabilities", Map.of("capabilities",
                List.of(Map.of("capability", "return-path", "state", returnPath))));
        c.execute("migrate-set-parameters", Map.of("max-bandwidth", maxBandwidth, "downtime-limit", downtimeMs));
    }

    private static JsonNode await(QmpClient c, Predicate<JsonNode> done, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            JsonNode m = c.execute("query-migrate");
            if (done.test(m)) {
                return m;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; last: " + m);
            }
            Thread.sleep(50);
        }
    }

    private static JsonNode finished(QmpClient c) throws Exception {
        return await(c, m -> ClientCommands.isTerminal(m.path("status").asText()), "the migration to end");
    }

    private static String digest(GodwitProcess p) throws IOException {
        return p.qmp().execute("x-query-digest").path("digest").asText();
    }

    private static String runState(GodwitProcess p) throws IOException {
        return p.qmp().execute("query-status").path("status").asText();
    }

    /** The source still runs its workload and its memory still passes the a-b check. */
    private static void assertSourceRunningAndIntact(GodwitProcess src) throws Exception {
        assertThat(runState(src)).isEqualTo("running");
        int before = src.qmp().execute("x-check-ab").path("value").asInt();
        await(src.qmp(), m -> {
            try {
                return src.qmp().execute("x-check-ab").path("value").asInt() != before;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, "the a-b writer to keep sweeping");
        src.qmp().execute("stop");
        assertThat(src.qmp().execute("x-check-ab").path("passed").asBoolean()).isTrue();
        src.qmp().execute("cont");
    }

    private static void assertCompletedWithEqualState(GodwitProcess src, GodwitProcess dst, JsonNode m)
            throws IOException {
        assertThat(m.path("status").asText()).as(m.toString()).isEqualTo("completed");
        assertThat(runState(src)).isEqualTo("postmigrate");
        assertThat(runState(dst)).isEqualTo("running");
        assertThat(dst.qmp().execute("x-check-ab").path("passed").asBoolean()).isTrue();
        assertThat(digest(dst)).isEqualTo(digest(src));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void migratesLiveBetweenProcesses(String transport) throws Exception {
        String incoming = transport.equals("tcp") ? "tcp:127.0.0.1:0" : "unix:" + dir.resolve("m.sock");
        try (GodwitProcess dst = destination("destination", incoming); GodwitProcess src = source()) {
            set(src.qmp(), 0, 300, true);
            src.qmp().execute("migrate", Map.of("uri", incomingUri(dst)));
            JsonNode m = finished(src.qmp());

            assertCompletedWithEqualState(src, dst, m);
            assertThat(m.path("ram").path("dirty-sync-count").asLong()).isGreaterThanOrEqualTo(2);
            assertThat(dst.qmp().execute("query-migrate").path("status").asText()).isEqualTo("completed");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel", "hash"})
    void referenceWorkloadsMigrateUnderEachDirtyTrackingBackend(String tracking) throws Exception {
        if (tracking.equals("kernel")) {
            io.godwit.ram.DirtyTracking.Availability a = io.godwit.ram.DirtyTracking.kernel();
            org.junit.jupiter.api.Assumptions.assumeTrue(a.available(), () -> "kernel tracking: " + a.reason());
        }
        try (GodwitProcess dst = destination("destination", "tcp:127.0.0.1:0");
                GodwitProcess src = Main.LAUNCHER.start(dir, "source", List.of("--ram", RAM, "--workload", "ab:64M",
                        "--workload", "random:16M", "--dirty-tracking", tracking), START)) {
            set(src.qmp(), 0, 300, true);
            src.qmp().execute("migrate", Map.of("uri", incomingUri(dst)));
            JsonNode m = finished(src.qmp());

            assertCompletedWithEqualState(src, dst, m);
            assertThat(m.path("ram").path("dirty-tracking").asText()).isEqualTo(tracking);
            assertThat(Files.readString(src.log())).contains("godwit: dirty tracking: " + tracking + " (");
        }
    }

    @Test
    void cancelDuringPrecopyThenAnotherMigrationSucceeds() throws Exception {
        try (GodwitProcess src = source(); GodwitProcess dst1 = destination("dst1", "tcp:127.0.0.1:0")) {
            set(src.qmp(), 8 << 20, 1, true);
            src.qmp().execute("migrate", Map.of("uri", incomingUri(dst1)));
            await(src.qmp(), m -> m.path("ram").path("transferred").asLong() > (1 << 20), "data on the wire");

            src.qmp().execute("migrate_cancel");
            JsonNode m = finished(src.qmp());

            assertThat(m.path("status").asText()).isEqualTo("cancelled");
            assertThat(finished(dst1.qmp()).path("status").asText()).isEqualTo("failed");
            assertThat(runState(dst1)).isNotEqualTo("running");
            assertSourceRunningAndIntact(src);

            try (GodwitProcess dst2 = destination("dst2", "tcp:127.0.0.1:0")) {
                set(src.qmp(), 0, 300, true);
                src.qmp().execute("migrate", Map.of("uri", incomingUri(dst2)));
                assertCompletedWithEqualState(src, dst2, finished(src.qmp()));
            }
        }
    }

    @Test
    void destinationKilledMidMigrationLeavesSourceRunningThenAnotherMigrationSucceeds() throws Exception {
        try (GodwitProcess src = source(); GodwitProcess dst1 = destination("dst1", "tcp:127.0.0.1:0")) {
            set(src.qmp(), 8 << 20, 1, true);
            src.qmp().execute("migrate", Map.of("uri", incomingUri(dst1)));
            await(src.qmp(), m -> m.path("ram").path("transferred").asLong() > (1 << 20), "data on the wire");

            dst1.kill();
            JsonNode m = finished(src.qmp());

            assertThat(m.path("status").asText()).isEqualTo("failed");
            assertThat(m.path("error-desc").asText()).isNotBlank();
            assertSourceRunningAndIntact(src);

            try (GodwitProcess dst2 = destination("dst2", "unix:" + dir.resolve("second.sock"))) {
                set(src.qmp(), 0, 300, true);
                src.qmp().execute("migrate", Map.of("uri", incomingUri(dst2)));
                assertCompletedWithEqualState(src, dst2, finished(src.qmp()));
            }
        }
    }

    @Test
    void saveToFileAndRestoreFromItGiveTheSameDigest() throws Exception {
        Path file = dir.resolve("machine.state");
        try (GodwitProcess src = source()) {
            set(src.qmp(), 0, 300, false);
            src.qmp().execute("migrate", Map.of("uri", "file:" + file));
            JsonNode m = finished(src.qmp());
            assertThat(m.path("status").asText()).as(m.toString()).isEqualTo("completed");
            assertThat(Files.size(file)).as("the file holds the whole stream")
                    .isEqualTo(m.path("ram").path("transferred").asLong());

            try (GodwitProcess restored = destination("restored", "file:" + file)) {
                assertThat(finished(restored.qmp()).path("status").asText()).isEqualTo("completed");
                assertThat(digest(restored)).isEqualTo(digest(src));
                assertThat(restored.qmp().execute("x-check-ab").path("passed").asBoolean()).isTrue();
            }
        }
    }

    @Test
    void execTransportPipesTheStreamThroughACommand() throws Exception {
        Path file = dir.resolve("piped.state");
        try (GodwitProcess src = source()) {
            set(src.qmp(), 0, 300, false);
            src.qmp().execute("migrate", Map.of("uri", "exec:cat > " + file));
            assertThat(finished(src.qmp()).path("status").asText()).isEqualTo("completed");

            try (GodwitProcess restored = destination("restored", "exec:cat " + file)) {
                assertThat(finished(restored.qmp()).path("status").asText()).isEqualTo("completed");
                assertThat(digest(restored)).isEqualTo(digest(src));
            }
        }
    }

    @Test
    void refusedConnectionFailsWithReasonAndSourceKeepsRunning() throws Exception {
        int port;
        try (ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            port = ((InetSocketAddress) s.getLocalAddress()).getPort();
        }
        try (GodwitProcess src = source()) {
            src.qmp().execute("migrate", Map.of("uri", "tcp:127.0.0.1:" + port));
            JsonNode m = finished(src.qmp());

            assertThat(m.path("status").asText()).isEqualTo("failed");
            assertThat(m.path("error-desc").asText()).contains("tcp:127.0.0.1:" + port).containsIgnoringCase("refused");
            assertSourceRunningAndIntact(src);
        }
    }

    @Test
    void destinationSendingGarbageFailsTheMigrationAndSourceKeepsRunning() throws Exception {
        try (ServerSocketChannel fake = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                GodwitProcess src = source()) {
            int port = ((InetSocketAddress) fake.getLocalAddress()).getPort();
            List<Throwable> errors = new ArrayList<>();
            Thread peer = Thread.ofVirtual().start(() -> {
                try (SocketChannel ch = fake.accept()) {
                    ch.write(ByteBuffer.wrap("this is not a return path\n".repeat(100).getBytes()));
                    ByteBuffer sink = ByteBuffer.allocate(1 << 16);
                    while (ch.read(sink.clear()) >= 0) {
                        // swallow the stream until the source gives up
                    }
                } catch (IOException e) {
                    // the source closed the connection: expected
                } catch (RuntimeException e) {
                    errors.add(e);
                }
            });
            set(src.qmp(), 0, 300, true);
            src.qmp().execute("migrate", Map.of("uri", "tcp:127.0.0.1:" + port));
            JsonNode m = finished(src.qmp());

            assertThat(m.path("status").asText()).isEqualTo("failed");
            assertThat(m.path("error-desc").asText()).contains("return path");
            assertSourceRunningAndIntact(src);
            peer.join(10_000);
            assertThat(errors).isEmpty();
        }
    }

    @Test
    void runExitsCleanlyOnSigterm() throws Exception {
        GodwitProcess p = destination("victim", "defer");
        Path socket = dir.resolve("victim.qmp");
        assertThat(Files.exists(socket)).isTrue();

        p.process().destroy(); // SIGTERM

        assertThat(p.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(Files.exists(socket)).as("the QMP socket is removed").isFalse();
    }

    @Test
    void runExitsOnQuit() throws Exception {
        GodwitProcess p = destination("leaver", "defer");
        p.qmp().execute("quit");
        assertThat(p.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.process().exitValue()).isZero();
    }
}

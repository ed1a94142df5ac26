package io.godwit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.launch.GodwitProcess;
import io.godwit.qmp.QmpClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * auto-converge and dirty-limit between two godwit processes over tcp. The source's random writer
 * dirties 64 MiB/s of pages over 16 MiB of RAM while the link may carry 8 MiB/s and the downtime
 * limit is 20 ms: plain pre-copy never gets there. Slowing the writers makes it converge.
 */
class ThrottleIntegrationTest {
    private static final Duration START = Duration.ofMinutes(1);

    @TempDir
    Path dir;

    private GodwitProcess source() throws Exception {
        return Main.LAUNCHER.start(dir, "source", List.of("--ram", "16M", "--workload", "ab:4M",
                "--workload", "random:64M"), START);
    }

    private GodwitProcess destination(String name) throws Exception {
        return Main.LAUNCHER.start(dir, name, List.of("--ram", "16M", "--incoming", "tcp:127.0.0.1:0"), START);
    }

    private static void setUp(QmpClient c, String capability, Map<String, Object> params) throws IOException {
        List<Object> caps = new java.util.ArrayList<>(List.of(Map.of("capability", "return-path", "state", true)));
        if (capability != null) {
            caps.add(Map.of("capability", capability, "state", true));
        }
        c.execute("migrate-set-capabilities", Map.of("capabilities", caps));
        Map<String, Object> p = new java.util.LinkedHashMap<>(Map.of("max-bandwidth", 8L << 20, "downtime-limit", 20));
        p.putAll(params);
        c.execute("migrate-set-parameters", p);
    }

    /** Polls query-migrate until {@code done}; remembers the highest cpu-throttle-percentage seen. */
    private static JsonNode await(QmpClient c, Predicate<JsonNode> done, AtomicInteger peak, String what)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            JsonNode m = c.execute("query-migrate");
            peak.accumulateAndGet(m.path("cpu-throttle-percentage").asInt(0), Math::max);
            if (done.test(m)) {
                return m;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; last: " + m);
            }
            Thread.sleep(20);
        }
    }

    private static JsonNode finished(QmpClient c, AtomicInteger peak) throws Exception {
        return await(c, m -> ClientCommands.isTerminal(m.path("status").asText()), peak, "the migration to end");
    }

    private static String digest(GodwitProcess p) throws IOException {
        return p.qmp().execute("x-query-digest").path("digest").asText();
    }

    private static long heldNanos(GodwitProcess p) {
        return sum(p, "held-ns");
    }

    /** A figure of x-query-vcpu-throttle per workload thread, by cpu-index. */
    private static long[] perVcpu(GodwitProcess p, String key) {
        try {
            JsonNode vcpus = p.qmp().execute("x-query-vcpu-throttle").path("vcpus");
            long[] out = new long[vcpus.size()];
            for (JsonNode v : vcpus) {
                out[v.path("cpu-index").asInt()] = v.path(key).asLong();
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A figure of x-query-vcpu-throttle summed over the workload threads. */
    private static long sum(GodwitProcess p, String key) {
        try {
            long sum = 0;
            for (JsonNode v : p.qmp().execute("x-query-vcpu-throttle").path("vcpus")) {
                sum += v.path(key).asLong();
            }
            return sum;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** No throttle of either kind is left on the machine's workload threads. */
    private static void assertWritersUnthrottled(GodwitProcess p) throws IOException {
        JsonNode t = p.qmp().execute("x-query-vcpu-throttle");
        assertThat(t.path("cpu-throttle-percentage").asInt()).as(t.toString()).isZero();
        assertThat(t.path("dirty-limit").asLong()).as(t.toString()).isZero();
        assertThat(p.qmp().execute("query-vcpu-dirty-limit").size()).isZero();
    }

    private static void assertCompletedIntact(GodwitProcess src, GodwitProcess dst, JsonNode m) throws IOException {
        assertThat(m.path("status").asText()).as(m.toString()).isEqualTo("completed");
        assertThat(m.has("cpu-throttle-percentage")).as("released at the end: " + m).isFalse();
        assertThat(dst.qmp().execute("x-check-ab").path("passed").asBoolean()).isTrue();
        assertThat(digest(dst)).isEqualTo(digest(src));
        assertWritersUnthrottled(src);
    }

    @Test
    void withoutAThrottleTheMigrationNeverConvergesAndACancelLeavesTheSourceRunning() throws Exception {
        try (GodwitProcess dst = destination("dst"); GodwitProcess src = source()) {
            setUp(src.qmp(), null, Map.of());
            src.qmp().execute("migrate", Map.of("uri", dst.incomingUri()));
            AtomicInteger peak = new AtomicInteger();
            JsonNode m = await(src.qmp(), x -> x.path("ram").path("dirty-sync-count").asLong() >= 8
                    || ClientCommands.isTerminal(x.path("status").asText()), peak, "eight passes");
            assertThat(m.path("status").asText()).as("still iterating after 8 passes: " + m).isEqualTo("active");
            assertThat(peak.get()).isZero();

            src.qmp().execute("migrate_cancel");
            assertThat(finished(src.qmp(), peak).path("status").asText()).isEqualTo("cancelled");
            assertThat(src.qmp().execute("query-status").path("status").asText()).isEqualTo("running");
            src.qmp().execute("stop");
            assertThat(src.qmp().execute("x-check-ab").path("passed").asBoolean()).isTrue();
        }
    }

    @Test
    void autoConvergeThrottlesTheWritersUntilItConvergesThenReleasesThem() throws Exception {
        try (GodwitProcess dst = destination("dst"); GodwitProcess src = source()) {
            // QEMU's rule with bigger steps than its defaults (20, +10), so that the test is short
            setUp(src.qmp(), "auto-converge", Map.of("cpu-throttle-initial", 60, "cpu-throttle-increment", 20));
            src.qmp().execute("migrate", Map.of("uri", dst.incomingUri()));
            AtomicInteger peak = new AtomicInteger();
            JsonNode m = finished(src.qmp(), peak);

            assertCompletedIntact(src, dst, m);
            assertThat(peak.get()).as("cpu-throttle-percentage while it ran").isBetween(60, 99);
            assertThat(m.path("cpu-throttle-peak").asInt()).isGreaterThanOrEqualTo(peak.get());
        }
    }

    @Test
    void autoConvergeCancelledPutsTheRunningSourceBackToFullSpeed() throws Exception {
        try (GodwitProcess dst = destination("dst"); GodwitProcess src = source()) {
            // at 50% the writer still dirties 32 MiB/s: it never converges
            setUp(src.qmp(), "auto-converge", Map.of("cpu-throttle-initial", 50, "max-cpu-throttle", 50));
            src.qmp().execute("migrate", Map.of("uri", dst.incomingUri()));
            AtomicInteger peak = new AtomicInteger();
            await(src.qmp(), x -> x.path("cpu-throttle-percentage").asInt() == 50, peak, "the throttle");
            await(src.qmp(), x -> heldNanos(src) > 0, peak, "the writers to sleep their share");

            src.qmp().execute("migrate_cancel");
            assertThat(finished(src.qmp(), peak).path("status").asText()).isEqualTo("cancelled");
            assertWritersUnthrottled(src);
            // running on: once every writer has written after the cancel (so no sleep begun before
            // it is under way), the writers write on and are never held again
            long[] first = perVcpu(src, "pages-written");
            await(src.qmp(), x -> {
                long[] now = perVcpu(src, "pages-written");
                for (int i = 0; i < first.length; i++) {
                    if (now[i] <= first[i]) {
                        return false;
                    }
                }
                return true;
            }, peak, "every writer to write again");
            long held = heldNanos(src);
            long pages = sum(src, "pages-written");
            await(src.qmp(), x -> sum(src, "pages-written") > pages + 20_000, peak, "20,000 more pages written");
            assertThat(heldNanos(src)).as("no sleep since the cancel").isEqualTo(held);
            assertThat(src.qmp().execute("query-status").path("status").asText()).isEqualTo("running");
        }
    }

    @Test
    void dirtyLimitCapsEachWriterUntilItConvergesThenReleasesThem() throws Exception {
        try (GodwitProcess dst = destination("dst"); GodwitProcess src = source()) {
            setUp(src.qmp(), "dirty-limit", Map.of("vcpu-dirty-limit", 1, "x-vcpu-dirty-limit-period", 100));
            src.qmp().execute("migrate", Map.of("uri", dst.incomingUri()));
            AtomicInteger peak = new AtomicInteger();
            JsonNode limited = await(src.qmp(), x -> x.has("dirty-limit-throttle-time-per-round")
                    || ClientCommands.isTerminal(x.path("status").asText()), peak, "the dirty limit");
            assertThat(limited.has("dirty-limit-ring-full-time")).as(limited.toString()).isTrue();
            JsonNode m = finished(src.qmp(), peak);

            assertCompletedIntact(src, dst, m);
            assertThat(m.has("dirty-limit-throttle-time-per-round")).isFalse();
            assertThat(peak.get()).as("dirty-limit leaves the CPU throttle alone").isZero();
        }
    }
}

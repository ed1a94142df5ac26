package io.godwit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.launch.GodwitLauncher;
import io.godwit.launch.GodwitProcess;
import io.godwit.qmp.QmpClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code godwit bench postcopy}: a machine whose a-b writer, at full speed, dirties memory faster
 * than {@code max-bandwidth} lets pre-copy carry it, so pre-copy never converges; after two passes
 * the benchmark asks for post-copy and measures the whole migration, the downtime, the time spent
 * in post-copy, and on the destination (where a reader touches random pages) the latency of the
 * waits for missing pages. Two godwit processes over loopback TCP; one warm-up run, then
 * {@code runs} measured runs, each to a fresh destination; the median run (by total time) is
 * reported and every run is checked by digest.
 */
public final class PostcopyBench {
    private static final Duration START = Duration.ofMinutes(3);

    /**
     * @param maxBandwidth pre-copy's max-bandwidth, below the writer's dirty rate
     * @param preempt with postcopy-preempt on both sides
     */
    public record Config(long size, long maxBandwidth, long readRate, int runs, boolean preempt) {
        public Config(long size, long maxBandwidth, long readRate, int runs) {
            this(size, maxBandwidth, readRate, runs, false);
        }
    }

    /** One migration's figures; latencies from the destination's histogram. */
    public record Run(long totalMs, long downtimeMs, long postcopyMs, long precopyPasses, long requests,
            long faultP50Us, long faultP99Us, long faultMaxUs, long faults, long preemptPages) {}

    private final GodwitLauncher launcher;
    private final Config config;
    private final Consumer<String> log;

    public PostcopyBench(GodwitLauncher launcher, Config config, Consumer<String> log) {
        this.launcher = launcher;
        this.config = config;
        this.log = log;
    }

    /** The measured runs, sorted by total time: the median is the middle one. */
    public List<Run> run() throws Exception {
        Path dir = Files.createTempDirectory("godwit-bench-");
        log.accept((config.preempt() ? "with" : "without") + " postcopy-preempt: starting a source with " + (config.size() >> 20) + " MiB of RAM under the a-b writer at full "
                + "speed (logs in " + dir + ")");
        List<Run> measured = new ArrayList<>();
        try (GodwitProcess src = launcher.start(dir, "source", List.of("--ram", String.valueOf(config.size()),
                "--prealloc", "--workload", "ab", "--warm-up=no-tls"), START)) {
            caps(src.qmp());
            src.qmp().execute("migrate-set-parameters", Map.of("max-bandwidth", config.maxBandwidth(),
                    "downtime-limit", 300, "max-postcopy-bandwidth", 0));
            for (int i = 0; i <= config.runs(); i++) {
                Run r = once(dir, src, i);
                log.accept(String.format("%s: total %d ms, downtime %d ms, post-copy %d ms, %d requests, "
                        + "fault latency p50 %d us, p99 %d us, max %d us", i == 0 ? "warm-up" : "run " + i,
                        r.totalMs(), r.downtimeMs(), r.postcopyMs(), r.requests(), r.faultP50Us(), r.faultP99Us(),
                        r.faultMaxUs()));
                if (i > 0) {
                    measured.add(r);
                }
                src.qmp().execute("cont"); // the source runs its writer again for the next run
            }
        }
        measured.sort(Comparator.comparingLong(Run::totalMs));
        return measured;
    }

    private Run once(Path dir, GodwitProcess src, int i) throws Exception {
        try (GodwitProcess dst = launcher.start(dir, "destination" + i, List.of("--ram", String.valueOf(config.size()),
                "--prealloc", "--warm-up=no-tls", "--incoming", "tcp:127.0.0.1:0", "--workload",
                "read:" + config.readRate()), START)) {
            caps(dst.qmp());
            src.qmp().execute("migrate", Map.of("uri", dst.incomingUri()));
            JsonNode pre = waitFor(src.qmp(), m -> m.path("ram").path("dirty-sync-count").asLong() >= 3
                    || terminal(m));
            if (!pre.path("status").asText().equals("active")) {
                throw new IllegalStateException("pre-copy ended before post-copy was asked for: " + pre);
            }
            src.qmp().execute("migrate-start-postcopy");
            JsonNode m = waitFor(src.qmp(), PostcopyBench::terminal);
            JsonNode d = waitFor(dst.qmp(), PostcopyBench::terminal);
            if (!m.path("status").asText().equals("completed") || !d.path("status").asText().equals("completed")) {
                throw new IllegalStateException("benchmark migration " + m.path("status").asText() + ": "
                        + m.path("error-desc").asText() + " (destination: " + d + "; log: " + dst.tail() + ")");
            }
            String s = src.qmp().execute("x-query-digest").path("digest").asText();
            String t = dst.qmp().execute("x-query-digest").path("digest").asText();
            if (!s.equals(t)) {
                throw new IllegalStateException("digests differ after the migration: " + s + " / " + t);
            }
            JsonNode lat = d.path("postcopy-fault-latency-us");
            return new Run(m.path("total-time").asLong(), m.path("downtime").asLong(), m.path("postcopy-time").asLong(),
                    pre.path("ram").path("dirty-sync-count").asLong(), m.path("ram").path("postcopy-requests").asLong(),
                    lat.path("p50").asLong(), lat.path("p99").asLong(), lat.path("max").asLong(),
                    lat.path("count").asLong(), d.path("postcopy-preempt-pages").asLong(-1));
        }
    }

    private void caps(QmpClient c) throws IOException {
        List<Map<String, Object>> on = new ArrayList<>(List.of(Map.of("capability", "postcopy-ram", "state", true)));
        if (config.preempt()) {
            on.add(Map.of("capability", "postcopy-preempt", "state", true));
        }
        c.execute("migrate-set-capabilities", Map.of("capabilities", on));
    }

    private static boolean terminal(JsonNode m) {
        String s = m.path("status").asText();
        return s.equals("completed") || s.equals("failed") || s.equals("cancelled");
    }

    private static JsonNode waitFor(QmpClient c, java.util.function.Predicate<JsonNode> done)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (true) {
            JsonNode m = c.execute("query-migrate");
            if (done.test(m)) {
                return m;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no end after 10 minutes: " + m);
            }
            Thread.sleep(20);
        }
    }
}

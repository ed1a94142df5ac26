package io.godwit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.launch.GodwitLauncher;
import io.godwit.launch.GodwitProcess;
import io.godwit.plan.Planner;
import io.godwit.plan.Prediction;
import io.godwit.qmp.PlanProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * {@code godwit bench plan}: for each workload, a source and a destination process; the planner
 * measures the source over QMP and predicts, then the source really migrates (capped, cancelled
 * if it has not converged by then), and both figures are reported side by side. A quiet migration
 * first measures what the planner cannot see from the machine: the link's unthrottled rate (the
 * switchover's), the setup time and the fixed part of the downtime.
 */
public final class PlanBench {
    private static final Duration START = Duration.ofMinutes(3);
    private static final long[] WINDOWS_MS = {250, 500, 1000, 2000};

    /** One row of the matrix: workloads of the source, and a device (a --device spec) or null. */
    public record Case(String name, List<String> workloads, String device, long deviceBytes) {}

    public record Config(long ram, long maxBandwidth, long downtimeLimitMs, long capSeconds) {}

    public record Row(String workload, Prediction predicted, Prediction measured) {}

    /** What the quiet migration showed. */
    record Link(long bytesPerSecond, long setupMs, long fixedDowntimeMs) {}

    private final GodwitLauncher launcher;
    private final Config config;
    private final Consumer<String> log;

    public PlanBench(GodwitLauncher launcher, Config config, Consumer<String> log) {
        this.launcher = launcher;
        this.config = config;
        this.log = log;
    }

    /** The default matrix: random, hot-set and a-b writers around the link's rate, with and without a device. */
    public static List<Case> matrix(long maxBandwidth) {
        long b = maxBandwidth >> 20; // MiB/s
        String dev = "synthetic,id=dev0,size=32M,policy=legacy";
        long devBytes = 32L << 20;
        return List.of(
                new Case("random:" + b / 4 + "M", List.of("random:" + b / 4 + "M"), null, 0),
                new Case("random:" + b / 2 + "M", List.of("random:" + b / 2 + "M"), null, 0),
                new Case("random:" + b * 3 / 2 + "M", List.of("random:" + b * 3 / 2 + "M"), null, 0),
                new Case("hotset:" + b + "M", List.of("hotset:" + b + "M"), null, 0),
                new Case("hotset:" + b * 8 + "M", List.of("hotset:" + b * 8 + "M"), null, 0),
                new Case("ab:" + b / 2 + "M", List.of("ab:" + b / 2 + "M"), null, 0),
                new Case("ab:" + b * 2 + "M", List.of("ab:" + b * 2 + "M"), null, 0),
                new Case("random:" + b / 4 + "M+device", List.of("random:" + b / 4 + "M"), dev, devBytes),
                new Case("hotset:" + b + "M+device", List.of("hotset:" + b + "M"), dev, devBytes));
    }

    public List<Row> run(List<Case> cases) throws Exception {
        Path dir = Files.createTempDirectory("godwit-bench-plan-");
        log.accept("processes' logs in " + dir);
        Link link = calibrate(dir);
        log.accept(String.format("link: %d MiB/s unthrottled, setup %d ms, fixed downtime %d ms",
                link.bytesPerSecond() >> 20, link.setupMs(), link.fixedDowntimeMs()));
        List<Row> rows = new ArrayList<>();
        int i = 0;
        for (Case c : cases) {
            Row r = row(dir.resolve("row" + i++), c, link);
            log.accept(String.format("%-22s predicted %s | measured %s", c.name(), text(r.predicted()),
                    text(r.measured())));
            rows.add(r);
        }
        return rows;
    }

    private static String text(Prediction p) {
        return p.converges() ? String.format("converges, %d passes, %d ms, downtime %d ms", p.passes(),
                p.totalTimeMs(), p.downtimeMs()) : "does not converge (" + p.passes() + " passes)";
    }

    private Link calibrate(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("link"));
        try (Pair p = start(dir.resolve("link"), new Case("quiet", List.of(), null, 0))) {
            // a 1 ms limit: the switch waits until nothing is left, so the downtime is only the fixed part
            p.src.qmp().execute("migrate-set-parameters", Map.of("max-bandwidth", 0, "downtime-limit", 1));
            JsonNode m = migrate(p, Duration.ofMinutes(2));
            if (!m.path("status").asText().equals("completed")) {
                throw new IllegalStateException("the quiet migration " + m.path("status").asText() + ": "
                        + m.path("error-desc").asText());
            }
            long setup = m.path("setup-time").asLong();
            long downtime = m.path("downtime").asLong();
            long sending = Math.max(1, m.path("total-time").asLong() - setup - downtime);
            return new Link(m.path("ram").path("transferred").asLong() * 1000 / sending, setup, downtime);
        }
    }

    private Row row(Path dir, Case c, Link link) throws Exception {
        Files.createDirectories(dir);
        try (Pair p = start(dir, c)) {
            p.src.qmp().execute("migrate-set-parameters", Map.of("max-bandwidth", config.maxBandwidth(),
                    "downtime-limit", config.downtimeLimitMs()));
            PlanProbe probe = new PlanProbe(p.src.qmp());
            probe.workingSet(new long[] {250}, "dirty-bitmap", config.ram()); // the writers are past their start
            PlanProbe.Measured m = probe.measure(null, link.bytesPerSecond(), null, WINDOWS_MS, "dirty-bitmap",
                    link.setupMs(), link.fixedDowntimeMs(), c.deviceBytes());
            Prediction predicted = new Planner(config.capSeconds()).plan(m.scenario(), m.workingSet()).prediction();
            JsonNode q = migrate(p, Duration.ofSeconds(config.capSeconds()));
            boolean completed = q.path("status").asText().equals("completed");
            if (completed) {
                String s = p.src.qmp().execute("x-query-digest").path("digest").asText();
                String d = p.dst.qmp().execute("x-query-digest").path("digest").asText();
                if (!s.equals(d)) {
                    throw new IllegalStateException(c.name() + ": digests differ after the migration: " + s + " / " + d);
                }
            }
            Prediction measured = new Prediction(completed, (int) q.path("ram").path("dirty-sync-count").asLong(),
                    q.path("total-time").asLong(), completed ? q.path("downtime").asLong() : -1, 0);
            return new Row(c.name(), predicted, measured);
        }
    }

    /** Migrates the source; cancels once {@code cap} has passed. Returns the final query-migrate. */
    private static JsonNode migrate(Pair p, Duration cap) throws Exception {
        p.src.qmp().execute("migrate", Map.of("uri", p.dst.incomingUri()));
        long deadline = System.nanoTime() + cap.toNanos();
        boolean cancelled = false;
        while (true) {
            JsonNode m = p.src.qmp().execute("query-migrate");
            String s = m.path("status").asText();
            if (s.equals("completed") || s.equals("failed") || s.equals("cancelled")) {
                return m;
            }
            if (!cancelled && System.nanoTime() > deadline) {
                p.src.qmp().execute("migrate_cancel");
                cancelled = true;
            }
            Thread.sleep(20);
        }
    }

    private record Pair(GodwitProcess src, GodwitProcess dst) implements AutoCloseable {
        @Override
        public void close() {
            try (GodwitProcess a = src; GodwitProcess b = dst) {
                // both closed, the destination first
            }
        }
    }

    /** A source and a destination, started side by side. */
    private Pair start(Path dir, Case c) throws Exception {
        List<String> common = new ArrayList<>(List.of("--ram", String.valueOf(config.ram()), "--prealloc", "--warm-up=no-tls"));
        if (c.device() != null) {
            common.addAll(List.of("--device", c.device()));
        }
        List<String> srcArgs = new ArrayList<>(common);
        srcArgs.addAll(List.of("--fill", "random")); // every page is sent in full, as the model assumes
        for (String w : c.workloads()) {
            srcArgs.addAll(List.of("--workload", w));
        }
        List<String> dstArgs = new ArrayList<>(common);
        dstArgs.addAll(List.of("--incoming", "tcp:127.0.0.1:0"));
        CompletableFuture<GodwitProcess> dst = CompletableFuture.supplyAsync(() -> {
            try {
                return launcher.start(dir, "destination", dstArgs, START);
            } catch (Exception e) {
                throw new IllegalStateException("destination: " + e.getMessage(), e);
            }
        });
        GodwitProcess src;
        try {
            src = launcher.start(dir, "source", srcArgs, START);
        } catch (Exception e) {
            dst.join().close();
            throw e;
        }
        GodwitProcess d;
        try {
            d = dst.join();
        } catch (RuntimeException e) {
            src.close();
            throw e;
        }
        for (GodwitProcess x : List.of(src, d)) {
            x.qmp().execute("migrate-set-capabilities", Map.of("capabilities", List.of(
                    Map.of("capability", "return-path", "state", true))));
        }
        return new Pair(src, d);
    }
}

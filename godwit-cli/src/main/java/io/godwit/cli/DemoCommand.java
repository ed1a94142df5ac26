package io.godwit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.machine.AbCheck;
import io.godwit.reference.workload.AbWorkload;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.migration.LocalMigration;
import io.godwit.migration.MigrationListener;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.Parameters;
import io.godwit.qmp.MigrationReplies;
import io.godwit.launch.GodwitProcess;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The demo: a destination process and a source process on loopback; the source's memory is being
 * rewritten by the a-b writer and a random writer while it migrates live; then the copy is
 * verified (a-b check on the destination, and a digest of the paused source against the
 * destination). {@code --in-process} runs both machines in this JVM instead. {@code --service}
 * migrates the example key-value service under client load instead (see {@link ServiceDemo}).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Migrate a running machine live between two processes and verify the copy.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--ram", converter = Sizes.class,
            description = "RAM of the machine (default: 1G, or 256M with --in-process).")
    Long ram;

    @Option(names = "--ab", converter = Sizes.class, defaultValue = "256M",
            description = "Rate of the a-b writer, bytes/s of dirtied pages; 0 for full speed (default: ${DEFAULT-VALUE}).")
    long abRate;

    @Option(names = "--timeout", defaultValue = "120",
            description = "Seconds to let the migration converge before cancelling it (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--random", converter = Sizes.class, defaultValue = "64M",
            description = "Dirty rate of the random writer next to the a-b writer, bytes/s; 0 for none "
                    + "(default: ${DEFAULT-VALUE}).")
    long random;

    @Option(names = "--transport", defaultValue = "tcp", description = "tcp or unix (default: ${DEFAULT-VALUE}).")
    String transport;

    @Option(names = "--downtime-limit",
            description = "downtime-limit in ms (default: 300, or 50 with --service, where clients wait it out).")
    Long downtimeLimit;

    private long downtimeLimitMs;

    @Option(names = "--max-bandwidth", converter = Sizes.class, defaultValue = "0",
            description = "max-bandwidth in bytes/s, 0 for no limit (default: ${DEFAULT-VALUE}).")
    long maxBandwidth;

    @Option(names = "--in-process", description = "Both machines in this JVM, over an in-memory channel.")
    boolean inProcess;

    @Option(names = "--postcopy", description = "Finish in post-copy: pre-copy is held under max-bandwidth ("
            + "256M unless --max-bandwidth says otherwise) so it cannot converge; after --passes passes the demo asks "
            + "for post-copy, and a reader on the destination waits for pages that have not arrived.")
    boolean postcopy;

    @Option(names = "--preempt", description = "With --postcopy: postcopy-preempt on both sides, so requested "
            + "pages come on a second connection ahead of the background pages.")
    boolean preempt;

    @Option(names = "--passes", defaultValue = "3",
            description = "With --postcopy: pre-copy passes before switching (default: ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--auto-converge", description = "Capability auto-converge on the source: once pre-copy "
            + "falls behind, the writers are throttled (QEMU's cpu-throttle-* parameters, or --set).")
    boolean autoConverge;

    @Option(names = "--dirty-limit", description = "Capability dirty-limit on the source: once pre-copy falls "
            + "behind, every writer thread is held at vcpu-dirty-limit MB/s (1 unless --set says otherwise).")
    boolean dirtyLimit;

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "A further migration parameter for the "
            + "source, by QEMU's name (cpu-throttle-initial=60, vcpu-dirty-limit=4, ...); repeatable.")
    List<String> sets = new ArrayList<>();

    /** The destination reader's rate with --postcopy: bytes/s of pages touched. */
    private static final long READ_RATE = 64L << 20;

    @Option(names = "--json", description = "Print one JSON object instead of the text summary.")
    boolean json;

    @Option(names = "--service", description = "Migrate the example key-value service (two processes) while "
            + "HTTP clients read and write it and follow it to the destination; --ram sizes its table (default 64M).")
    boolean service;

    @Option(names = "--tracking", defaultValue = "auto", description = "With --service: how the service's region "
            + "finds its writes: auto, kernel, hash or explicit (default: ${DEFAULT-VALUE}).")
    String tracking;

    @Option(names = "--clients", defaultValue = "8",
            description = "With --service: client threads, each with its own keys (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--trace", paramLabel = "FILE",
            description = "Record the source's Godwit JFR events into FILE (godwit report charts it).")
    Path trace;

    @Option(names = "--report", paramLabel = "DIR", description = "Record the migration and write DIR/report.html "
            + "(charts and tables, self-contained) and the charts as PNG files in DIR; the recording is "
            + "DIR/migration.jfr unless --trace names another file.")
    Path reportDir;

    private Path traceFile;
    private Path dstTrace; // the destination's recording, in a two-process post-copy demo

    private final PrintStream log = System.err;

    @Override
    public Integer call() throws Exception {
        downtimeLimitMs = downtimeLimit != null ? downtimeLimit : service ? 50 : 300;
        if (preempt && !postcopy) {
            throw new IllegalArgumentException("--preempt applies to --postcopy: postcopy-preempt needs postcopy-ram");
        }
        if ((autoConverge || dirtyLimit || !sets.isEmpty()) && (service || inProcess)) {
            throw new IllegalArgumentException("--auto-converge, --dirty-limit and --set apply to the two-process demo");
        }
        if (service) {
            if (trace != null || reportDir != null) {
                throw new IllegalArgumentException("--trace and --report record a machine's migration, not --service");
            }
            return service();
        }
        traceFile = DemoReport.traceFile(trace, reportDir);
        Map<String, Object> out = inProcess ? inProcess() : twoProcesses();
        if (reportDir != null) {
            try {
                out.put("report", DemoReport.write(traceFile, dstTrace, reportDir).toString());
            } catch (java.io.IOException e) {
                log.println("no report: " + e.getMessage()); // the migration's outcome is still worth printing
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> v = (Map<String, Object>) out.get("verification");
        if (json) {
            System.out.println(Json.write(out));
        } else {
            printText(System.out, Json.MAPPER.valueToTree(out));
        }
        boolean ok = "completed".equals(out.get("status")) && "passed".equals(v.get("ab"))
                && "passed".equals(v.get("digest"));
        return ok ? 0 : 1;
    }

    private int service() throws Exception {
        if (inProcess) {
            throw new IllegalArgumentException("--service runs the service as processes; --in-process does not apply");
        }
        if (!transport.equals("tcp") && !transport.equals("unix")) {
            throw new IllegalArgumentException("--transport must be tcp or unix, not " + transport);
        }
        io.godwit.ram.DirtyTracking.Mode.parse(tracking); // refused here, not in a child process
        Map<String, Object> out = new ServiceDemo(ram != null ? ram : 64L << 20, clients, transport, tracking,
                downtimeLimitMs, maxBandwidth, timeoutSeconds, log).run();
        if (json) {
            System.out.println(Json.write(out));
        } else {
            ServiceDemo.printText(System.out, Json.MAPPER.valueToTree(out));
        }
        return ServiceDemo.passed(out) ? 0 : 1;
    }

    private Map<String, Object> twoProcesses() throws Exception {
        if (!transport.equals("tcp") && !transport.equals("unix")) {
            throw new IllegalArgumentException("--transport must be tcp or unix, not " + transport);
        }
        long size = ram != null ? ram : 1L << 30;
        Path dir = Files.createTempDirectory("godwit-demo-");
        log.printf("starting a destination and a source process (%s RAM each; logs in %s)%n", Sizes.format(size), dir);
        String incoming = transport.equals("tcp") ? "tcp:127.0.0.1:0" : "unix:" + dir.resolve("migration.sock");
        List<String> srcArgs = new ArrayList<>(List.of("--ram", String.valueOf(size), "--prealloc", "--workload",
                abRate > 0 ? "ab:" + abRate : "ab"));
        if (random > 0) {
            srcArgs.addAll(List.of("--workload", "random:" + random));
        }
        if (traceFile != null) {
            srcArgs.addAll(List.of("--trace", traceFile.toAbsolutePath().toString()));
        }
        List<String> dstArgs = new ArrayList<>(List.of("--ram", String.valueOf(size), "--prealloc", "--incoming", incoming));
        if (postcopy) {
            dstArgs.addAll(List.of("--workload", "read:" + READ_RATE));
            if (traceFile != null) { // the page waits happen in the destination's process
                dstTrace = DemoReport.destinationTrace(traceFile);
                dstArgs.addAll(List.of("--trace", dstTrace.toAbsolutePath().toString()));
            }
        }
        long bandwidth = postcopy && maxBandwidth == 0 ? 256L << 20 : maxBandwidth;
        Duration startup = Duration.ofMinutes(2);
        try (GodwitProcess dst = Main.LAUNCHER.start(dir, "destination", dstArgs, startup);
                GodwitProcess src = Main.LAUNCHER.start(dir, "source", srcArgs, startup)) {
            String uri = dst.incomingUri();
            waitForFirstSweep(src);
            log.printf("source: a-b writer at %s%s running; migrating to %s (downtime-limit %d ms, "
                    + "max-bandwidth %s)%n", abRate > 0 ? Sizes.format(abRate) + "/s" : "full speed",
                    random > 0 ? " and random writer at " + Sizes.format(random) + "/s" : "", uri, downtimeLimitMs,
                    bandwidth == 0 ? "unlimited" : Sizes.format(bandwidth) + "/s");
            List<String> caps = new ArrayList<>(List.of("return-path", "events"));
            if (autoConverge) {
                caps.add("auto-converge");
            }
            if (dirtyLimit) {
                caps.add("dirty-limit");
            }
            if (postcopy) {
                caps.add("postcopy-ram");
                if (preempt) {
                    caps.add("postcopy-preempt");
                }
                ClientCommands.applySettings(dst.qmp(), List.of(), preempt ? List.of("postcopy-ram", "postcopy-preempt")
                        : List.of("postcopy-ram"));
            }
            List<String> settings = new ArrayList<>(List.of("downtime-limit=" + downtimeLimitMs,
                    "max-bandwidth=" + bandwidth));
            settings.addAll(sets);
            ClientCommands.applySettings(src.qmp(), settings, caps);
            src.qmp().execute("migrate", Map.of("uri", uri));
            if (postcopy) {
                switchAfterPasses(src.qmp());
            }
            JsonNode end = followWithTimeout(src);
            Map<String, Object> out = summary(end);
            if (postcopy) {
                putPostcopy(out, end, dst.qmp().execute("query-migrate"));
            }
            Map<String, Object> v = new LinkedHashMap<>();
            if (out.get("status").equals("completed")) {
                JsonNode ab = dst.qmp().execute("x-check-ab");
                String srcDigest = src.qmp().execute("x-query-digest").path("digest").asText();
                String dstDigest = dst.qmp().execute("x-query-digest").path("digest").asText();
                verdict(v, ab.path("passed").asBoolean(), ab.path("bad-pages").asLong(), srcDigest, dstDigest);
                v.put("ab-first-bad", ab.path("first-bad"));
            } else {
                verdict(v, false, -1, null, null);
                out.put("destination-status", dst.qmp().execute("query-migrate").path("status").asText());
            }
            out.put("verification", v);
            return out;
        }
    }

    /** Waits for {@code passes} pre-copy passes, then asks for post-copy. */
    private void switchAfterPasses(io.godwit.qmp.QmpClient c) throws Exception {
        JsonNode m;
        do {
            Thread.sleep(50);
            m = c.execute("query-migrate");
        } while (m.path("ram").path("dirty-sync-count").asLong() < passes
                && !ClientCommands.isTerminal(m.path("status").asText()));
        log.printf("pre-copy: %d passes, %s still to send, not converging; switching to post-copy%n",
                m.path("ram").path("dirty-sync-count").asLong(), Sizes.format(m.path("ram").path("remaining").asLong()));
        c.execute("migrate-start-postcopy");
    }

    /** The post-copy figures: time in post-copy and requests (source), wait latency (destination). */
    private static void putPostcopy(Map<String, Object> out, JsonNode src, JsonNode dst) {
        out.put("postcopy-time", src.path("postcopy-time").asLong(-1));
        out.put("postcopy-requests", src.path("ram").path("postcopy-requests").asLong());
        JsonNode l = dst.path("postcopy-fault-latency-us");
        Map<String, Object> lat = new LinkedHashMap<>();
        lat.put("p50", l.path("p50").asLong());
        lat.put("p99", l.path("p99").asLong());
        lat.put("max", l.path("max").asLong());
        lat.put("count", l.path("count").asLong());
        out.put("fault-latency-us", lat);
        if (dst.has("postcopy-preempt-pages")) {
            out.put("postcopy-preempt-pages", dst.path("postcopy-preempt-pages").asLong());
        }
    }

    /** Follows the migration; cancels it if it has not converged in time, and says why. */
    private JsonNode followWithTimeout(GodwitProcess src) throws Exception {
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(Duration.ofSeconds(timeoutSeconds));
                log.printf("not converged after %d s: cancelling (lower the workload rates or raise "
                        + "--downtime-limit)%n", timeoutSeconds);
                try (var c = io.godwit.qmp.QmpClient.connect(src.qmpAddress())) {
                    c.execute("migrate_cancel");
                }
            } catch (InterruptedException e) {
                // finished in time
            } catch (Exception e) {
                log.println("cannot cancel: " + e.getMessage());
            }
        });
        try {
            return ClientCommands.follow(src.qmp(), log);
        } finally {
            watchdog.interrupt();
        }
    }

    /** Waits until the a-b writer has been over every page once (the last page's byte has moved). */
    private void waitForFirstSweep(GodwitProcess src) throws Exception {
        log.printf("source: waiting for the a-b writer's first sweep over all pages%n");
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (src.qmp().execute("x-check-ab").path("last-value").asInt() == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the source's a-b writer did not complete a sweep: " + src.tail());
            }
            Thread.sleep(50);
        }
    }

    private Map<String, Object> inProcess() throws Exception {
        long size = ram != null ? ram : 256L << 20;
        long bandwidth = postcopy && maxBandwidth == 0 ? 256L << 20 : maxBandwidth;
        Parameters params = Parameters.defaults().withDowntimeLimitMs(downtimeLimitMs).withMaxBandwidth(bandwidth);
        try (Machine src = new Machine("source"); Machine dst = new Machine("destination")) {
            src.addRam("pc.ram", size);
            dst.addRam("pc.ram", size);
            if (postcopy) {
                dst.addWorkload(new io.godwit.reference.workload.RandomReader(READ_RATE, 1));
            }
            AbWorkload ab = new AbWorkload(abRate);
            src.addWorkload(ab);
            src.start();
            log.printf("source: %s RAM, a-b writer running; destination in this JVM%n", Sizes.format(size));
            while (ab.sweeps() < 1) {
                Thread.sleep(10); // let the writer touch every page once before migrating
            }
            Capabilities caps = postcopy ? Capabilities.of(Capability.RETURN_PATH, Capability.POSTCOPY_RAM)
                    : Capabilities.of(Capability.RETURN_PATH);
            if (preempt) {
                caps = caps.plus(Capability.POSTCOPY_PREEMPT);
            }
            var progress = new java.util.concurrent.atomic.AtomicReference<Progress>();
            MigrationListener passListener = new MigrationListener() {
                @Override
                public void passCompleted(long count) {
                    Progress p = progress.get();
                    if (p != null) {
                        p.passCompleted(count);
                    }
                }
            };
            LocalMigration m = new LocalMigration(src, dst, params, caps, passListener);
            LocalMigration.Result r;
            try (var recording = traceFile != null ? io.godwit.trace.TraceRecording.start(traceFile) : null;
                    Progress p = new Progress(() -> m.source().info(), log, 200)) {
                progress.set(p);
                m.start();
                if (postcopy) {
                    while (m.source().info().ram().dirtySyncCount() < passes && m.source().status().isActive()) {
                        Thread.sleep(20);
                    }
                    log.printf("pre-copy: %d passes, not converging; switching to post-copy%n",
                            m.source().info().ram().dirtySyncCount());
                    m.source().startPostcopy();
                }
                r = m.await(Duration.ofMinutes(10));
            }
            Map<String, Object> out = summary(Json.MAPPER.valueToTree(MigrationReplies.of(r.source())));
            if (postcopy) {
                putPostcopy(out, Json.MAPPER.valueToTree(MigrationReplies.of(r.source())),
                        Json.MAPPER.valueToTree(MigrationReplies.of(r.destination())));
            }
            Map<String, Object> v = new LinkedHashMap<>();
            if (r.completed()) {
                AbCheck.Result a = AbCheck.check(dst);
                verdict(v, a.passed(), a.badPages(), MachineDigest.of(src).overall(), MachineDigest.of(dst).overall());
                v.put("ab-first-bad", a.badOffsets());
            } else {
                verdict(v, false, -1, null, null);
                out.put("destination-error", r.destinationError());
            }
            out.put("verification", v);
            return out;
        }
    }

    private static void verdict(Map<String, Object> v, boolean abPassed, long badPages, String src, String dst) {
        v.put("ab", abPassed ? "passed" : "failed");
        v.put("digest", src != null && src.equals(dst) ? "passed" : "failed");
        v.put("ab-bad-pages", badPages);
        v.put("source-digest", src);
        v.put("destination-digest", dst);
    }

    /** query-migrate's reply, plus the figures the summary leads with. */
    static Map<String, Object> summary(JsonNode m) {
        @SuppressWarnings("unchecked")
        Map<String, Object> out = Json.MAPPER.convertValue(m, LinkedHashMap.class);
        long total = m.path("total-time").asLong();
        long transferred = m.path("ram").path("transferred").asLong();
        out.put("dirty-sync-count", m.path("ram").path("dirty-sync-count").asLong());
        out.putIfAbsent("downtime", -1);
        out.put("throughput-mibps", total > 0 ? Math.round(transferred / 1048576.0 / (total / 1000.0)) : 0);
        return out;
    }

    /** The first lines of every demo's summary: status, error, times and passes. */
    static void printOutcome(PrintStream o, JsonNode s) {
        o.printf("%nmigration %s%n", s.path("status").asText());
        if (s.has("error-desc")) {
            o.printf("  error:          %s%n", s.path("error-desc").asText());
        }
        o.printf("  total time:     %d ms (setup %d ms)%n", s.path("total-time").asLong(), s.path("setup-time").asLong());
        o.printf("  downtime:       %d ms%n", s.path("downtime").asLong());
        o.printf("  passes:         %d (dirty-sync-count)%n", s.path("dirty-sync-count").asLong());
    }

    private static void printText(PrintStream o, JsonNode s) {
        JsonNode ram = s.path("ram");
        JsonNode v = s.path("verification");
        printOutcome(o, s);
        o.printf("  transferred:    %s (%d pages, %d zero pages; RAM %s)%n", Sizes.format(ram.path("transferred").asLong()),
                ram.path("normal").asLong(), ram.path("duplicate").asLong(), Sizes.format(ram.path("total").asLong()));
        o.printf("  throughput:     %d MiB/s%n", s.path("throughput-mibps").asLong());
        if (s.has("cpu-throttle-peak")) {
            o.printf("  auto-converge:  the writers were throttled up to %d%%%n", s.path("cpu-throttle-peak").asInt());
        }
        if (s.has("postcopy-time")) {
            JsonNode l = s.path("fault-latency-us");
            o.printf("  post-copy:      %d ms after the stop, %d pages requested%n", s.path("postcopy-time").asLong(),
                    s.path("postcopy-requests").asLong());
            o.printf("  page waits:     %d on the destination; p50 %d us, p99 %d us, max %d us%n",
                    l.path("count").asLong(), l.path("p50").asLong(), l.path("p99").asLong(), l.path("max").asLong());
            if (s.has("postcopy-preempt-pages")) {
                o.printf("  preempt:        %d pages came on the postcopy-preempt channel%n",
                        s.path("postcopy-preempt-pages").asLong());
            }
        }
        o.printf("verification%n");
        o.printf("  a-b check:      %s (bad pages: %d)%n", v.path("ab").asText(), v.path("ab-bad-pages").asLong());
        o.printf("  digest:         %s%n", v.path("digest").asText());
        if (!v.path("source-digest").isNull()) {
            o.printf("    source      %s%n    destination %s%n", v.path("source-digest").asText(),
                    v.path("destination-digest").asText());
        }
        if (s.has("report")) {
            o.printf("report:           %s%n", s.path("report").asText());
        }
    }
}

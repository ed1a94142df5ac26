package io.godwit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.launch.GodwitLauncher;
import io.godwit.launch.GodwitProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code godwit bench ram --uri tcp|unix}: migrates RAM full of random bytes from one godwit
 * process to another over one loopback connection, with no workload. Both processes allocate and
 * write their memory before the clock starts (the destination with --prealloc), so first-touch
 * cost is not in the figure. One warm-up migration, then {@code runs} measured ones, each to a
 * fresh destination process; the figures come from the source's query-migrate. With {@code tls}
 * (x509 or psk) both processes get credentials over QMP (object-add, tls-creds), as QEMU's are set
 * up, and every migration runs in a TLS session. With {@code channels} above 0, both sides turn on
 * multifd with that many channels and the given multifd-compression before each migration (the
 * destination through migrate-incoming after the capability, as QEMU requires).
 */
public final class SocketRamBench {
    private static final Duration START = Duration.ofMinutes(3);

    private final GodwitLauncher launcher;
    private final String transport;
    private final long size;
    private final int runs;
    private final Consumer<String> log;
    private final String tls;
    private final int channels;
    private final String compression;
    private Path credentials;
    private long downtimeLimitMs = -1;
    private String image = "random";

    public SocketRamBench(GodwitLauncher launcher, String transport, long size, int runs, Consumer<String> log) {
        this(launcher, transport, size, runs, null, log);
    }

    /** {@code tls}: null for plain sockets, else x509 or psk. */
    public SocketRamBench(GodwitLauncher launcher, String transport, long size, int runs, String tls,
            Consumer<String> log) {
        this(launcher, transport, size, runs, tls, 0, "none", log);
    }

    /** {@code channels}: multifd channels, 0 for one connection; {@code compression}: none, zlib or zstd. */
    public SocketRamBench(GodwitLauncher launcher, String transport, long size, int runs, String tls, int channels,
            String compression, Consumer<String> log) {
        if (channels < 0 || channels > 255) {
            throw new IllegalArgumentException("--channels must be 0 to 255, not " + channels);
        }
        if (!List.of("none", "zlib", "zstd").contains(compression)) {
            throw new IllegalArgumentException("--compress must be none, zlib or zstd, not " + compression);
        }
        if (channels == 0 && !compression.equals("none")) {
            throw new IllegalArgumentException("--compress " + compression + " needs --channels 1 or more (multifd)");
        }
        if (channels > 0 && tls != null) {
            throw new IllegalArgumentException("--channels with --tls: Godwit does not run multifd over TLS yet");
        }
        this.channels = channels;
        this.compression = compression;
        if (!transport.equals("tcp") && !transport.equals("unix")) {
            throw new IllegalArgumentException("--uri must be tcp or unix, not " + transport);
        }
        if (tls != null && !tls.equals("x509") && !tls.equals("psk")) {
            throw new IllegalArgumentException("--tls must be x509 or psk, not " + tls);
        }
        this.tls = tls;
        this.launcher = launcher;
        this.transport = transport;
        this.size = size;
        this.runs = runs;
        this.log = log;
    }

    /** Something to run after each of Godwit's runs (0: the warm-up), to alternate with another bench. */
    @FunctionalInterface
    public interface AfterRun {
        void after(int run) throws Exception;
    }

    public RamBench.Case run() throws Exception {
        return run(run -> { });
    }

    /** Runs the bench, calling {@code after} once after each migration, the warm-up included. */
    public RamBench.Case run(AfterRun after) throws Exception {
        Path dir = Files.createTempDirectory("godwit-bench-");
        log.accept("starting a source process with " + (size >> 20) + " MiB of " + image + " RAM (logs in " + dir + ")");
        if (tls != null) {
            credentials = dir.resolve("tls");
            BenchCredentials.write(credentials);
            log.accept("TLS (" + tls + ") with credentials in " + credentials);
        }
        List<RamBench.Run> measured = new ArrayList<>();
        try (GodwitProcess src = launcher.start(dir, "source",
                List.of("--ram", String.valueOf(size), "--prealloc", "--fill", image, warmUp()), START)) {
            src.qmp().execute("migrate-set-capabilities", Map.of("capabilities",
                    List.of(Map.of("capability", "return-path", "state", true),
                            Map.of("capability", "events", "state", true))));
            src.qmp().execute("migrate-set-parameters", Map.of("max-bandwidth", 0));
            downtimeLimitMs = src.qmp().execute("query-migrate-parameters").path("downtime-limit").asLong(-1);
            useTls(src, "client");
            useMultifd(src);
            for (int i = 0; i <= runs; i++) {
                RamBench.Run r = once(dir, src, i, i == runs);
                log.accept(String.format("%s%s: %s %.0f MiB/s, downtime %d ms", transport, multifdText(),
                        i == 0 ? "warm-up" : "run " + i, r.mibps(), r.downtimeMs()));
                if (i > 0) {
                    measured.add(r);
                }
                after.after(i);
            }
        }
        return new RamBench.Case(transport, measured);
    }

    /** Without TLS, no TLS warm-up: its compilation would still be running when the clock starts. */
    private String warmUp() {
        return tls != null ? "--warm-up" : "--warm-up=no-tls";
    }

    private RamBench.Run once(Path dir, GodwitProcess src, int i, boolean verify) throws Exception {
        String incoming = transport.equals("tcp") ? "tcp:127.0.0.1:0" : "unix:" + dir.resolve("mig" + i + ".sock");
        try (GodwitProcess dst = launcher.start(dir, "destination" + i, List.of("--ram", String.valueOf(size),
                "--prealloc", warmUp(), "--incoming", tls != null || channels > 0 ? "defer" : incoming), START)) {
            if (tls != null || channels > 0) {
                useTls(dst, "server");
                useMultifd(dst);
                dst.qmp().execute("migrate-incoming", Map.of("uri", incoming));
            }
            String uri = dst.incomingUri();
            MigrationEnd.settle();
            long srcCpu = cpuMs(src);
            long dstCpu = cpuMs(dst);
            src.qmp().drainEvents(); // the source's earlier runs' events
            src.qmp().execute("migrate", Map.of("uri", uri));
            JsonNode m = waitForEnd(src);
            srcCpu = cpuMs(src) - srcCpu;
            dstCpu = cpuMs(dst) - dstCpu;
            if (!m.path("status").asText().equals("completed")) {
                throw new IllegalStateException("benchmark migration " + m.path("status").asText() + ": "
                        + m.path("error-desc").asText() + " (destination log: " + dst.tail() + ")");
            }
            if (verify) {
                String s = src.qmp().execute("x-query-digest").path("digest").asText();
                String d = dst.qmp().execute("x-query-digest").path("digest").asText();
                if (!s.equals(d)) {
                    throw new IllegalStateException("digests differ after the migration: " + s + " / " + d);
                }
                log.accept("digest verified: " + s);
            }
            long total = m.path("total-time").asLong();
            if (m.has("x-switchover-fixed-cost")) {
                log.accept("switch fixed costs estimated at the switch's decision (ms): " + m.path("x-switchover-fixed-cost"));
            }
            log.accept(String.format("%s: total %d ms, setup %d ms, downtime %d ms, %d passes, CPU source %d ms,"
                    + " destination %d ms", transport, total, m.path("setup-time").asLong(), m.path("downtime").asLong(),
                    m.path("ram").path("dirty-sync-count").asLong(), srcCpu, dstCpu));
            return new RamBench.Run(size / 1048576.0 / (total / 1000.0), m.path("downtime").asLong(), total,
                    m.path("ram").path("transferred").asLong(), srcCpu, dstCpu);
        }
    }

    /**
     * CPU time of the process so far, all threads, in ms: a cost that other load on the machine
     * does not inflate the way it inflates elapsed time.
     */
    private static long cpuMs(GodwitProcess p) {
        return p.process().toHandle().info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(-1L);
    }

    /** object-add of this side's credentials and tls-creds (with tls-hostname on the source). */
    private void useTls(GodwitProcess p, String endpoint) throws IOException {
        if (tls == null) {
            return;
        }
        p.qmp().execute("object-add", Map.of("qom-type", "tls-creds-" + tls, "id", "tls0", "dir",
                credentials.toString(), "endpoint", endpoint));
        p.qmp().execute("migrate-set-parameters", endpoint.equals("client")
                ? Map.of("tls-creds", "tls0", "tls-hostname", BenchCredentials.HOST) : Map.of("tls-creds", "tls0"));
    }

    /**
     * The source's RAM content: random (the default) or realistic (text, code, heap and zero pages,
     * see MemoryImage); call before {@link #run}.
     */
    public SocketRamBench image(String fill) {
        if (!fill.equals("random") && !fill.equals("realistic")) {
            throw new IllegalArgumentException("--image must be random or realistic, not " + fill);
        }
        this.image = fill;
        return this;
    }

    /** The source's downtime-limit (query-migrate-parameters), once {@link #run} has started; -1 before. */
    public long downtimeLimitMs() {
        return downtimeLimitMs;
    }

    private String multifdText() {
        return channels == 0 ? "" : " multifd " + channels + " (" + compression + ")";
    }

    /** The multifd capability and parameters, when the bench runs with channels. */
    private void useMultifd(GodwitProcess p) throws IOException {
        if (channels == 0) {
            return;
        }
        p.qmp().execute("migrate-set-capabilities", Map.of("capabilities",
                List.of(Map.of("capability", "multifd", "state", true))));
        p.qmp().execute("migrate-set-parameters", Map.of("multifd-channels", channels, "multifd-compression",
                compression));
    }

    private static JsonNode waitForEnd(GodwitProcess src) throws IOException, InterruptedException {
        return MigrationEnd.await(new MigrationEnd.Qmp() {
            @Override
            public JsonNode queryMigrate() throws IOException {
                return src.qmp().execute("query-migrate");
            }

            @Override
            public JsonNode nextMigrationEvent(java.time.Duration timeout) throws InterruptedException {
                return src.qmp().awaitEvent("MIGRATION", timeout);
            }
        });
    }
}

package io.godwit.bench.loopback;

import io.godwit.launch.ChildJvm;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * {@code godwit bench loopback}: the same volume and shape as a RAM migration over N loopback TCP
 * connections, with no protocol, between a sender and a receiver JVM (both children, so the
 * bench's own JVM adds no noise to either side). The clock runs from the bench telling the
 * connected sender to go until the receiver reports that every byte is in its memory. First
 * passes of 4 KiB writes and reads over up to 256 MiB, 2^17 calls on each side, so the write and
 * read loops are compiled, then one warm-up run, then the measured runs; after each run the receiver's memory is checked against
 * the sender's by CRC-32C, outside the clock.
 */
public final class LoopbackBench {
    private static final Duration START = Duration.ofMinutes(3);
    private static final long JIT_PASS_BYTES = 256L << 20;
    /** 4 KiB writes and reads, each, before the warm-up: enough for C2 to compile both loops (OSR included). */
    private static final long JIT_CALLS = 1 << 17;

    private final Config config;
    private final Consumer<String> log;
    private final Map<Long, Long> senderCrc = new HashMap<>();

    /** The bench's options, checked. */
    public record Config(long size, int connections, int chunk, int runs) {
        public Config {
            if (connections < 1 || connections > LoopbackPeer.MAX_CONNECTIONS) {
                throw new IllegalArgumentException("--connections must be 1 to " + LoopbackPeer.MAX_CONNECTIONS
                        + ", not " + connections);
            }
            if (size < (1 << 20) || size > LoopbackPeer.MAX_SIZE) {
                throw new IllegalArgumentException("--size must be 1 MiB to 1 TiB, not " + size + " bytes");
            }
            if (chunk < LoopbackPeer.MIN_CHUNK || chunk > LoopbackPeer.MAX_CHUNK) {
                throw new IllegalArgumentException("--chunk must be 4 KiB to 64 MiB, not " + chunk + " bytes");
            }
            if (runs < 1 || runs > 100) {
                throw new IllegalArgumentException("--runs must be 1 to 100, not " + runs);
            }
        }
    }

    /** One run: elapsed time, throughput, each side's process CPU time over the run, and the check. */
    public record Run(double totalMs, double mibps, double senderCpuMs, double receiverCpuMs, boolean verified) {}

    /** The measured runs, their medians (mibps and total from the median run; CPU times each on its own). */
    public record Result(Config config, List<Run> runs, double mibps, double totalMs, double senderCpuMs,
            double receiverCpuMs, boolean verified) {}

    public LoopbackBench(Config config, Consumer<String> log) {
        this.config = config;
        this.log = log;
    }

    public Result run() throws Exception {
        Path dir = Files.createTempDirectory("godwit-loopback-");
        Thread cleanup = new Thread(() -> delete(dir));
        Runtime.getRuntime().addShutdownHook(cleanup); // an interrupted bench leaves no logs behind
        try {
            return runIn(dir);
        } finally {
            delete(dir);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it deletes the same directory
            }
        }
    }

    private Result runIn(Path dir) throws Exception {
        String size = String.valueOf(config.size());
        String n = String.valueOf(config.connections());
        log.accept("starting a receiver and a sender JVM with " + (config.size() >> 20) + " MiB off-heap each");
        try (ChildJvm receiver = peer(dir, "receiver", List.of("receiver", size, n));
                ChildJvm sender = peer(dir, "sender", List.of("sender", size, n, port(receiver, "data")));
                LoopbackControl r = connect(receiver);
                LoopbackControl s = connect(sender)) {
            try {
                boolean jitVerified = compile(r, s);
                List<Run> measured = new ArrayList<>();
                for (int i = 0; i <= config.runs(); i++) {
                    // the receiver reads as much as has arrived, as a migration's would
                    Run run = once(r, s, config.size(), config.chunk(), LoopbackMemory.WINDOW);
                    log.accept(String.format("%s: %.0f MiB/s, %.1f ms, CPU sender %.0f ms, receiver %.0f ms, %s",
                            i == 0 ? "warm-up" : "run " + i, run.mibps(), run.totalMs(), run.senderCpuMs(),
                            run.receiverCpuMs(), run.verified() ? "verified" : "NOT VERIFIED"));
                    if (i > 0) {
                        measured.add(run);
                    }
                }
                r.send("quit");
                s.send("quit");
                return result(measured, jitVerified);
            } catch (IOException e) {
                throw new IOException(e.getMessage() + " (receiver: " + receiver.tail() + "; sender: " + sender.tail()
                        + ")", e);
            }
        }
    }

    /** Passes of 4 KiB writes and reads until each side has made {@link #JIT_CALLS} calls; whether all were intact. */
    private boolean compile(LoopbackControl r, LoopbackControl s) throws Exception {
        long bytes = Math.min(config.size(), JIT_PASS_BYTES);
        long passes = (JIT_CALLS * LoopbackPeer.MIN_CHUNK + bytes - 1) / bytes;
        boolean verified = true;
        for (long i = 0; i < passes; i++) {
            Run pass = once(r, s, bytes, LoopbackPeer.MIN_CHUNK, LoopbackPeer.MIN_CHUNK);
            verified &= pass.verified();
            log.accept(String.format("JIT pass %d of %d, %d MiB in 4 KiB writes and reads: %.0f MiB/s%s", i + 1, passes,
                    bytes >> 20, pass.mibps(), pass.verified() ? "" : ", NOT VERIFIED"));
        }
        return verified;
    }

    private Result result(List<Run> runs, boolean jitVerified) {
        Run median = runs.stream().sorted(Comparator.comparingDouble(Run::mibps)).toList().get(runs.size() / 2);
        boolean verified = jitVerified && runs.stream().allMatch(Run::verified);
        return new Result(config, List.copyOf(runs), median.mibps(), median.totalMs(),
                median(runs, Run::senderCpuMs), median(runs, Run::receiverCpuMs), verified);
    }

    private static double median(List<Run> runs, ToDoubleFunction<Run> f) {
        return runs.stream().mapToDouble(f).sorted().toArray()[runs.size() / 2];
    }

    /**
     * One run of {@code bytes} in {@code chunk}-sized writes and reads of at most {@code readMax},
     * timed, then checked outside the clock.
     */
    private Run once(LoopbackControl r, LoopbackControl s, long bytes, int chunk, long readMax) throws Exception {
        r.send("prepare bytes=" + bytes + " read-max=" + readMax);
        s.send("connect bytes=" + bytes + " chunk=" + chunk);
        s.expect("connected");
        r.expect("ready");
        long[] receivedAt = new long[1];
        FutureTask<LoopbackControl.Message> received = new FutureTask<>(() -> {
            LoopbackControl.Message m = r.expect("received");
            receivedAt[0] = System.nanoTime();
            return m;
        });
        Thread.ofPlatform().name("loopback-receiver-control").daemon().start(received);
        long start = System.nanoTime();
        s.send("go");
        long senderCpu = s.expect("sent").number("cpu-ns", 0, Long.MAX_VALUE);
        LoopbackControl.Message done = await(received);
        double totalMs = (receivedAt[0] - start) / 1e6;
        long receiverCpu = done.number("cpu-ns", 0, Long.MAX_VALUE);
        boolean verified = crc(r, bytes) == senderCrc(s, bytes);
        return new Run(totalMs, bytes / 1048576.0 / (totalMs / 1000), senderCpu / 1e6, receiverCpu / 1e6, verified);
    }

    private LoopbackControl.Message await(FutureTask<LoopbackControl.Message> received) throws Exception {
        try {
            return received.get(timeoutMs(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new IOException("the receiver did not report the end of the run within " + timeoutMs() + " ms");
        }
    }

    private long senderCrc(LoopbackControl s, long bytes) throws IOException {
        Long known = senderCrc.get(bytes); // the sender's memory does not change between runs
        if (known == null) {
            known = crc(s, bytes);
            senderCrc.put(bytes, known);
        }
        return known;
    }

    private static long crc(LoopbackControl peer, long bytes) throws IOException {
        peer.send("crc bytes=" + bytes);
        return peer.expect("crc").number("value", 0, 0xffffffffL);
    }

    private ChildJvm peer(Path dir, String name, List<String> args) throws IOException, InterruptedException {
        // off-heap memory counts against the direct memory limit, which defaults to the heap's size
        List<String> jvm = List.of("-XX:MaxDirectMemorySize=" + (config.size() + (64 << 20)));
        return ChildJvm.start(dir, name, jvm, LoopbackPeer.class.getName(), args, "READY", START);
    }

    private LoopbackControl connect(ChildJvm peer) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(port(peer, "control")));
        LoopbackControl c = new LoopbackControl(socket, "the " + peer.name());
        c.timeout((int) timeoutMs());
        return c;
    }

    /** A port from the peer's ready line, checked. */
    private static String port(ChildJvm peer, String key) throws IOException {
        String v = peer.ready().get(key);
        try {
            int p = Integer.parseInt(v == null ? "" : v);
            if (p >= 1 && p <= 65535) {
                return String.valueOf(p);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IOException("the " + peer.name() + " announced " + key + "=" + v + ", expected a port");
    }

    /** How long any one step may take: a minute, plus a second per 16 MiB (a step writes memory once or twice). */
    private long timeoutMs() {
        return 60_000 + config.size() / (16 << 20) * 1000;
    }

    private static void delete(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // already gone, or going: nothing else to clean
        }
    }
}

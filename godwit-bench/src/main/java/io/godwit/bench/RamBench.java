package io.godwit.bench;

import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.reference.workload.MemoryFill;
import io.godwit.machine.RunState;
import io.godwit.migration.LocalMigration;
import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationListener;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.Parameters;
import io.godwit.ram.DirtyTracking;
import io.godwit.ram.RamBlock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The RAM migration benchmark behind {@code godwit bench ram}: migrates a block of random RAM and a
 * block of zero RAM inside this JVM, with no workload, and measures throughput (RAM size over
 * migration time) and downtime. One warm-up run per case, then {@code runs} measured runs; the
 * median is reported. Destination memory for random RAM is allocated and touched beforehand, so
 * first-touch cost is not in the figure. The last random run is verified by digest. The source's
 * RAM may use another dirty tracking backend, to see what the backend costs a migration.
 */
public final class RamBench {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    /**
     * One measured migration; the CPU times (of the source and destination processes over the
     * migration, all their threads) are -1 where both sides share one process.
     */
    public record Run(double mibps, long downtimeMs, double totalMs, long transferred, long sourceCpuMs,
            long destinationCpuMs) {
        public Run(double mibps, long downtimeMs, double totalMs, long transferred) {
            this(mibps, downtimeMs, totalMs, transferred, -1, -1);
        }
    }

    /** The outcome of one case (random, zero, zero-written). */
    public record Case(String name, List<Run> runs) {
        public Run median() {
            List<Run> sorted = new ArrayList<>(runs);
            sorted.sort((a, b) -> Double.compare(a.mibps(), b.mibps()));
            return sorted.get(sorted.size() / 2);
        }
    }

    public record Result(long sizeBytes, Case random, Case zero, Case zeroWritten, boolean digestVerified) {}

    private final long size;
    private final int runs;
    private final Consumer<String> log;
    private final DirtyTracking.Mode tracking;

    public RamBench(long size, int runs, Consumer<String> log) {
        this(size, runs, DirtyTracking.Mode.EXPLICIT, log);
    }

    /** The source's RAM is tracked by {@code tracking} (a fresh tracker per case). */
    public RamBench(long size, int runs, DirtyTracking.Mode tracking, Consumer<String> log) {
        if (size <= 0 || size % RamBlock.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("size must be a positive multiple of 4096: " + size);
        }
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be at least 1: " + runs);
        }
        this.size = size;
        this.runs = runs;
        this.log = log;
        this.tracking = tracking;
    }

    public Result run() throws InterruptedException {
        boolean verified;
        Case random;
        try (Machine src = new Machine("bench-src"); Machine dst = new Machine("bench-dst")) {
            log.accept("preparing " + mib(size) + " MiB of random RAM and a pre-touched destination");
            MemoryFill.random(src.addRam("pc.ram", size, true, DirtyTracking.create(tracking)), 42);
            dst.addRam("pc.ram", size, true);
            random = measure("random", src, dst);
            verified = MachineDigest.of(src).equals(MachineDigest.of(dst));
        }
        Case zero;
        try (Machine src = new Machine("bench-src"); Machine dst = new Machine("bench-dst")) {
            src.addRam("pc.ram", size, false, DirtyTracking.create(tracking));
            dst.addRam("pc.ram", size);
            zero = measure("zero", src, dst);
        }
        Case zeroWritten;
        try (Machine src = new Machine("bench-src"); Machine dst = new Machine("bench-dst")) {
            RamBlock b = src.addRam("pc.ram", size, true, DirtyTracking.create(tracking));
            b.markWritten(0, size); // written with zeros: every page must be read to find it zero
            dst.addRam("pc.ram", size);
            zeroWritten = measure("zero-written", src, dst);
        }
        return new Result(size, random, zero, zeroWritten, verified);
    }

    private Case measure(String name, Machine src, Machine dst) throws InterruptedException {
        List<Run> measured = new ArrayList<>();
        for (int i = 0; i <= runs; i++) {
            Run r = once(src, dst);
            if (i == 0) {
                log.accept(String.format("%s: warm-up %.0f MiB/s, downtime %d ms", name, r.mibps(), r.downtimeMs()));
            } else {
                log.accept(String.format("%s: run %d %.0f MiB/s, downtime %d ms", name, i, r.mibps(), r.downtimeMs()));
                measured.add(r);
            }
        }
        return new Case(name, measured);
    }

    private Run once(Machine src, Machine dst) throws InterruptedException {
        if (dst.state() == RunState.RUNNING) {
            dst.stop(RunState.PAUSED);
        }
        Parameters p = Parameters.defaults().withMaxBandwidth(0);
        LocalMigration m = new LocalMigration(src, dst, p, Capabilities.of(Capability.RETURN_PATH),
                MigrationListener.NONE);
        long t0 = System.nanoTime();
        LocalMigration.Result r = m.start().await(TIMEOUT);
        double ms = (System.nanoTime() - t0) / 1e6;
        MigrationInfo s = r.source();
        if (!r.completed()) {
            throw new IllegalStateException("benchmark migration did not complete: " + s.status().qmpName + " "
                    + s.errorDesc() + " / " + r.destinationError());
        }
        return new Run(mib(size) / (ms / 1000.0), s.downtimeMs(), ms, s.ram().transferred());
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}

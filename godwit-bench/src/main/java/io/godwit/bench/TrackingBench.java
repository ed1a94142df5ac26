package io.godwit.bench;

import io.godwit.ram.DirtyTracker;
import io.godwit.ram.DirtyTracking;
import io.godwit.ram.RamBlock;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The dirty tracking benchmark behind {@code godwit bench tracking}: what a write costs the writer
 * under each backend, and what a sync (collect) costs the migration. Every figure is the median
 * of {@code runs} measured runs after one warm-up run. Blocks are pre-faulted, so first-touch cost
 * is not in any figure; writes go to random pages.
 */
public final class TrackingBench {
    private static final long MAX_WRITES = 1 << 22; // per write measurement; 16 per page for smaller blocks
    private static final double DIRTY_FRACTION = 0.01;

    /**
     * Nanoseconds per write and milliseconds per collect; a backend that cannot run here has NaN
     * figures and {@code kernelUnavailable} says why.
     */
    public record Result(long sizeBytes, int runs, double explicitNsPerWrite, double untrackedNsPerWrite,
            double kernelNsPerWrite, double kernelSteadyNsPerWrite, double kernelScanMs, double kernelScanCleanMs,
            double hashScanMs, int hashThreads, String kernelUnavailable) {}

    private final long size;
    private final int runs;
    private final Consumer<String> log;

    public TrackingBench(long size, int runs, Consumer<String> log) {
        if (size < (1 << 22) || size % RamBlock.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("size must be a multiple of 4096 and at least 4 MiB: " + size);
        }
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be at least 1: " + runs);
        }
        this.size = size;
        this.runs = runs;
        this.log = log;
    }

    public Result run() {
        double explicit;
        double untracked;
        try (RamBlock b = new RamBlock("bench", size, true)) {
            long[] offsets = randomOffsets(b.pages(), writes(), 1);
            explicit = median("explicit write", () -> timeWrites(offsets, (o, v) -> b.putLong(o, v))) / offsets.length;
            untracked = median("untracked write", () -> timePlainWrites(b.segment(), offsets)) / offsets.length;
        }
        DirtyTracking.Availability k = DirtyTracking.kernel();
        double[] kernel = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        if (k.available()) {
            kernel = kernel();
        } else {
            log.accept("kernel tracking unavailable: " + k.reason());
        }
        double hash = hashScan();
        return new Result(size, runs, explicit, untracked, kernel[0], kernel[1], kernel[2], kernel[3], hash,
                java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() + 1, k.available() ? null : k.reason());
    }

    /** First write to protected pages, later writes, a collect with 1% dirty, a collect with none. */
    private double[] kernel() {
        DirtyTracker t = DirtyTracking.create(DirtyTracking.Mode.KERNEL);
        try (RamBlock b = new RamBlock("bench", size, true, t)) {
            t.start(b);
            try {
                long pages = b.pages();
                int distinct = (int) Math.min(pages / 4, 1 << 16);
                double first = median("kernel first write after protect", () -> {
                    long[] offsets = distinctPageOffsets(pages, distinct, System.nanoTime());
                    t.collect(b); // every page protected again
                    drain(b);
                    return timePlainWrites(b.segment(), offsets);
                }) / distinct;
                long[] offsets = randomOffsets(pages, writes(), 2);
                double steady = median("kernel steady write", () -> {
                    timePlainWrites(b.segment(), offsets); // the first write to each page faults...
                    return timePlainWrites(b.segment(), offsets); // ...the same pages again do not
                }) / offsets.length;
                int dirty = (int) (pages * DIRTY_FRACTION);
                double scan = median("kernel collect, 1% dirty", () -> {
                    t.collect(b);
                    drain(b);
                    timePlainWrites(b.segment(), distinctPageOffsets(pages, dirty, System.nanoTime()));
                    return timeCollect(t, b);
                }) / 1e6;
                double clean = median("kernel collect, clean", () -> {
                    t.collect(b);
                    return timeCollect(t, b);
                }) / 1e6;
                return new double[] {first, steady, scan, clean};
            } finally {
                t.stop(b);
            }
        }
    }

    private double hashScan() {
        DirtyTracker t = DirtyTracking.create(DirtyTracking.Mode.HASH);
        try (RamBlock b = new RamBlock("bench", size, true, t)) {
            t.start(b);
            try {
                int dirty = (int) (b.pages() * DIRTY_FRACTION);
                return median("hash collect, 1% dirty", () -> {
                    timePlainWrites(b.segment(), distinctPageOffsets(b.pages(), dirty, System.nanoTime()));
                    return timeCollect(t, b);
                }) / 1e6;
            } finally {
                t.stop(b);
            }
        }
    }

    private long writes() {
        return Math.min(MAX_WRITES, (size >>> 12) * 16);
    }

    private static long timeCollect(DirtyTracker t, RamBlock b) {
        long t0 = System.nanoTime();
        t.collect(b);
        long ns = System.nanoTime() - t0;
        drain(b);
        return ns;
    }

    /** One warm-up, then {@code runs} runs of {@code nanos}; the median in nanoseconds. */
    private double median(String what, LongSupplier nanos) {
        long warm = nanos.getAsLong();
        long[] r = new long[runs];
        for (int i = 0; i < runs; i++) {
            r[i] = nanos.getAsLong();
        }
        Arrays.sort(r);
        log.accept(String.format("%s: warm-up %.1f ms, runs %s ms", what, warm / 1e6, msList(r)));
        return r[runs / 2];
    }

    private static String msList(long[] r) {
        List<String> s = new ArrayList<>();
        for (long v : r) {
            s.add(String.format("%.1f", v / 1e6));
        }
        return String.join(" ", s);
    }

    @FunctionalInterface
    private interface Writer {
        void write(long offset, long value);
    }

    private static long timeWrites(long[] offsets, Writer w) {
        long t0 = System.nanoTime();
        for (int i = 0; i < offsets.length; i++) {
            w.write(offsets[i], i);
        }
        return System.nanoTime() - t0;
    }

    private static long timePlainWrites(MemorySegment seg, long[] offsets) {
        long t0 = System.nanoTime();
        for (int i = 0; i < offsets.length; i++) {
            seg.set(ValueLayout.JAVA_LONG, offsets[i], i);
        }
        return System.nanoTime() - t0;
    }

    /** {@code n} offsets of an aligned word in a random page each. */
    private static long[] randomOffsets(long pages, long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] o = new long[(int) n];
        for (int i = 0; i < o.length; i++) {
            o[i] = (r.nextLong(pages) << 12) + ((long) r.nextInt(512) << 3);
        }
        return o;
    }

    /** One offset in each of {@code n} distinct random pages, in random order. */
    private static long[] distinctPageOffsets(long pages, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        java.util.BitSet taken = new java.util.BitSet((int) pages);
        long[] o = new long[n];
        for (int i = 0; i < n; ) {
            int p = (int) r.nextLong(pages);
            if (!taken.get(p)) {
                taken.set(p);
                o[i++] = ((long) p << 12) + ((long) r.nextInt(512) << 3);
            }
        }
        return o;
    }

    private static void drain(RamBlock b) {
        b.dirtyBitmap().drainInto(new long[b.dirtyBitmap().wordCount()], null);
    }
}

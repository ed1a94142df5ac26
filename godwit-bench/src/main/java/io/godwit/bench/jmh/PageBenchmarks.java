package io.godwit.bench.jmh;

import io.godwit.util.bitset.AtomicBitSet;
import io.godwit.ram.RamBlock;
import io.godwit.ram.ZeroPages;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** The per-page costs on the migration's hot path: zero detection, marking and syncing dirty pages. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PageBenchmarks {
    private static final int PAGES = 4096;

    private RamBlock block;
    private MemorySegment seg;
    private AtomicBitSet bitmap;
    private long[] into;
    private int page;

    @Setup(Level.Trial)
    public void setUp() {
        block = new RamBlock("bench", (long) PAGES * RamBlock.PAGE_SIZE, true);
        seg = block.segment();
        for (int p = PAGES / 2; p < PAGES; p++) {
            seg.set(ValueLayout.JAVA_LONG, (long) p * RamBlock.PAGE_SIZE + 4088, 1); // non-zero at the end
        }
        bitmap = new AtomicBitSet(PAGES);
        into = new long[PAGES / 64];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        block.close();
    }

    /** A zero page must be compared in full. */
    @Benchmark
    public boolean isZeroOnZeroPage() {
        page = (page + 1) & (PAGES / 2 - 1);
        return ZeroPages.isZero(seg, (long) page * RamBlock.PAGE_SIZE);
    }

    /** The worst non-zero page: only its last word differs. */
    @Benchmark
    public boolean isZeroOnPageNonZeroAtTheEnd() {
        page = PAGES / 2 + ((page + 1) & (PAGES / 2 - 1));
        return ZeroPages.isZero(seg, (long) page * RamBlock.PAGE_SIZE);
    }

    /** What a writer pays per tracked write. */
    @Benchmark
    public void markPage() {
        page = (page + 1) & (PAGES - 1);
        bitmap.mark(page);
    }

    /** Marking then syncing 64 pages: one word's worth. */
    @Benchmark
    public long mark64AndDrain() {
        for (int i = 0; i < 64; i++) {
            bitmap.mark(i * 64L);
        }
        return bitmap.drainInto(into, null);
    }
}

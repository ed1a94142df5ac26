package io.godwit.ram;

import io.godwit.vcpu.Workload;
import io.godwit.vcpu.WorkloadPacer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A writer that bypasses RamBlock: plain stores into its share of a segment (pages {@code first},
 * {@code first + stride}, ...), at a paced rate of random writes, plus a full sweep over its pages
 * whenever one is requested. A sweep gives every page of its share a new value, so a destination
 * that missed the sweep differs from the source.
 */
final class PlainStoreWriter implements Workload {
    private final MemorySegment seg;
    private final long first;
    private final long stride;
    private final long pages;
    private final AtomicLong sweepsRequested;
    private final AtomicLong sweepsDone = new AtomicLong();
    private final SplittableRandom random;
    private final double writesPerSecond;

    PlainStoreWriter(MemorySegment seg, long first, long stride, long pages, AtomicLong sweepsRequested,
            double writesPerSecond, long seed) {
        this.seg = seg;
        this.first = first;
        this.stride = stride;
        this.pages = pages;
        this.sweepsRequested = sweepsRequested;
        this.writesPerSecond = writesPerSecond;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public String name() {
        return "plain-" + first;
    }

    long sweepsDone() {
        return sweepsDone.get();
    }

    @Override
    public void step(WorkloadPacer pacer) {
        long requested = sweepsRequested.get();
        if (requested > sweepsDone.get()) {
            for (long p = first; p < pages; p += stride) {
                seg.set(ValueLayout.JAVA_LONG, p << RamBlock.PAGE_SHIFT, requested << 32 | p);
            }
            sweepsDone.set(requested);
            return;
        }
        long due = pacer.due(writesPerSecond, 256);
        for (long i = 0; i < due; i++) {
            long p = first + stride * random.nextLong((pages - first + stride - 1) / stride);
            seg.set(ValueLayout.JAVA_LONG_UNALIGNED, (p << RamBlock.PAGE_SHIFT) + 8 + random.nextInt(4080),
                    random.nextLong());
        }
        pacer.did(due);
    }
}

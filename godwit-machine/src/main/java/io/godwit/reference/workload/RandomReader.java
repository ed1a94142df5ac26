package io.godwit.reference.workload;

import io.godwit.ram.RamBlock;
import io.godwit.vcpu.Workload;
import io.godwit.vcpu.WorkloadPacer;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Reads a word from random pages at a set rate (bytes per second of pages touched, 4 KiB per
 * read) and changes nothing. On a destination in post-copy its reads go through the RAM block's
 * methods, so a read of a page that has not arrived waits for it: it shows what post-copy costs
 * a running machine, without changing the state the digest compares.
 */
public final class RandomReader implements Workload {
    private static final int MAX_READS_PER_STEP = 4096;

    private final long bytesPerSecond;
    private final SplittableRandom random;
    private PageSpace space;
    private volatile long reads;
    private long sum; // keeps the reads from being optimised away

    public RandomReader(long bytesPerSecond, long seed) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("read rate must be positive: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public String name() {
        return "read:" + bytesPerSecond;
    }

    @Override
    public void attach(List<RamBlock> ram) {
        space = new PageSpace(ram);
    }

    @Override
    public void step(WorkloadPacer pacer) {
        long due = pacer.due(bytesPerSecond / 4096.0, MAX_READS_PER_STEP);
        for (long i = 0; i < due; i++) {
            sum += space.getLong(random.nextLong(space.pages()), random.nextInt(512) << 3);
        }
        reads += due;
        pacer.did(due);
    }

    /** Reads done so far. */
    public long reads() {
        return reads;
    }

    @Override
    public String toString() {
        return name() + " (" + reads + " reads, sum " + sum + ")";
    }
}

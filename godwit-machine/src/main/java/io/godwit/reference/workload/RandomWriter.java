package io.godwit.reference.workload;

import java.util.List;

import io.godwit.ram.RamBlock;
import io.godwit.vcpu.WorkloadPacer;
import io.godwit.vcpu.Workload;
import java.util.SplittableRandom;

/**
 * Dirties random pages at a set rate: each write puts a random 8-byte word at a random place in a
 * random page, never in the page's first word, which belongs to the a-b writer, so the two can
 * run together. The rate counts dirtied pages in bytes (4 KiB per write), as dirty rates are
 * usually quoted.
 */
public class RandomWriter implements Workload {
    private static final int MAX_WRITES_PER_STEP = 4096;

    private final long bytesPerSecond;
    private final SplittableRandom random;
    private PageSpace space;

    public RandomWriter(long bytesPerSecond, long seed) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("dirty rate must be positive: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public String name() {
        return "random:" + bytesPerSecond;
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    @Override
    public void attach(List<RamBlock> ram) {
        space = new PageSpace(ram);
    }

    @Override
    public void step(WorkloadPacer pacer) {
        long due = pacer.due(bytesPerSecond / 4096.0, MAX_WRITES_PER_STEP);
        for (long i = 0; i < due; i++) {
            space.putLong(pickPage(random, space.pages()), (1 + random.nextInt(511)) << 3, random.nextLong());
        }
        pacer.did(due);
    }

    /** The page to write next, out of {@code pages}. */
    protected long pickPage(SplittableRandom r, long pages) {
        return r.nextLong(pages);
    }
}

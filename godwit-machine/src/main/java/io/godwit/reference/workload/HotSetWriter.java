package io.godwit.reference.workload;

import java.util.SplittableRandom;

/**
 * A random writer whose writes are skewed: 90% go to a hot set of 10% of the pages (the first
 * tenth), the rest anywhere else. Real services dirty memory like this far more often than
 * uniformly, and it is what makes later passes cheaper than the first.
 */
public final class HotSetWriter extends RandomWriter {
    public HotSetWriter(long bytesPerSecond, long seed) {
        super(bytesPerSecond, seed);
    }

    @Override
    public String name() {
        return "hotset:" + bytesPerSecond();
    }

    @Override
    protected long pickPage(SplittableRandom r, long pages) {
        long hot = Math.max(1, pages / 10);
        if (hot == pages || r.nextInt(10) < 9) {
            return r.nextLong(hot);
        }
        return hot + r.nextLong(pages - hot);
    }
}

package io.godwit.reference.workload;

import io.godwit.machine.AbCheck;
import io.godwit.vcpu.WorkloadPacer;
import io.godwit.vcpu.Workload;
import io.godwit.ram.RamBlock;
import java.util.List;

/**
 * The a-b writer of QEMU's migration tests: increments the first byte of every page, page after
 * page, block after block, forever. On a consistent copy every page's first byte is equal, except
 * at most one step down by one where the machine stopped mid-sweep (see {@link AbCheck}). It runs
 * flat out, or at a set rate of dirtied pages (in bytes per second, 4 KiB per page).
 */
public final class AbWorkload implements Workload {
    private static final int PAGES_PER_STEP = 256;

    private final long bytesPerSecond;

    private RamBlock[] blocks;
    private int block;
    private long page;
    private volatile long sweeps;

    /** The a-b writer at full speed. */
    public AbWorkload() {
        this(0);
    }

    /** The a-b writer dirtying {@code bytesPerSecond} of pages; 0 for full speed. */
    public AbWorkload(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("rate must not be negative: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    @Override
    public String name() {
        return bytesPerSecond == 0 ? "ab" : "ab:" + bytesPerSecond;
    }

    @Override
    public void attach(List<RamBlock> ram) {
        if (ram.isEmpty()) {
            throw new IllegalStateException("the a-b workload needs RAM");
        }
        blocks = ram.toArray(RamBlock[]::new);
    }

    @Override
    public void step(WorkloadPacer pacer) {
        long n = bytesPerSecond == 0 ? PAGES_PER_STEP : pacer.due(bytesPerSecond / 4096.0, PAGES_PER_STEP);
        for (long i = 0; i < n; i++) {
            RamBlock b = blocks[block];
            b.incrementByte(page << RamBlock.PAGE_SHIFT);
            if (++page == b.pages()) {
                page = 0;
                if (++block == blocks.length) {
                    block = 0;
                    sweeps++;
                }
            }
        }
        pacer.did(n);
    }

    /** Completed sweeps over all pages. */
    public long sweeps() {
        return sweeps;
    }
}

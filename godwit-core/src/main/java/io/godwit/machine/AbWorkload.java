package io.godwit.machine;

import io.godwit.ram.RamBlock;
import java.util.List;

/**
 * The a-b writer of QEMU's migration tests: increments the first byte of every page, page after
 * page, block after block, forever. On a consistent copy every page's first byte is equal, except
 * at most one step down by one where the machine stopped mid-sweep (see {@link AbCheck}).
 */
public final class AbWorkload implements Workload {
    private static final int PAGES_PER_STEP = 256;

    private RamBlock[] blocks;
    private int block;
    private long page;
    private volatile long sweeps;

    @Override
    public String name() {
        return "ab";
    }

    @Override
    public void attach(Machine machine) {
        List<RamBlock> ram = machine.ram();
        if (ram.isEmpty()) {
            throw new IllegalStateException("the a-b workload needs RAM");
        }
        blocks = ram.toArray(RamBlock[]::new);
    }

    @Override
    public void step(WorkloadPacer pacer) {
        for (int i = 0; i < PAGES_PER_STEP; i++) {
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
    }

    /** Completed sweeps over all pages. */
    public long sweeps() {
        return sweeps;
    }
}

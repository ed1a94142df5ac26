package io.godwit.dirtyrate;

import io.godwit.ram.DirtyTracker;
import io.godwit.ram.RamBlock;
import io.godwit.util.bitset.AtomicBitSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Dirty-bitmap: gives every RAM block a log of its own (as QEMU's dirty-rate dirty-log client),
 * which the block's writes mark beside its dirty bitmap, and counts the pages marked in the
 * window. The migration's bitmap is left alone, so a migration may run meanwhile.
 */
final class BitmapWindow implements AutoCloseable {
    private final List<RamBlock> blocks;
    private final List<AtomicBitSet> logs = new ArrayList<>();

    /** Refuses blocks whose writes the RAM API does not see (a tracker finds them only while migrating). */
    static void check(List<RamBlock> blocks) {
        for (RamBlock b : blocks) {
            if (b.tracker() != DirtyTracker.EXPLICIT) {
                throw new IllegalArgumentException("mode dirty-bitmap counts writes through the RAM API; RAM block '"
                        + b.name() + "' is written directly (dirty tracking " + b.tracker().name()
                        + "): use page-sampling");
            }
        }
    }

    /** Starts logging writes now. */
    BitmapWindow(List<RamBlock> blocks) {
        check(blocks);
        this.blocks = List.copyOf(blocks);
        for (RamBlock b : this.blocks) {
            AtomicBitSet log = new AtomicBitSet(b.pages());
            logs.add(log);
            b.setWriteLog(log);
        }
    }

    /** Stops logging; returns the bytes of the pages written since the start. */
    long stop() {
        close();
        long pages = 0;
        for (AtomicBitSet log : logs) {
            for (int w = 0; w < log.wordCount(); w++) {
                pages += Long.bitCount(log.word(w));
            }
        }
        return pages * RamBlock.PAGE_SIZE;
    }

    @Override
    public void close() {
        for (int i = 0; i < blocks.size(); i++) {
            blocks.get(i).clearWriteLog(logs.get(i));
        }
    }
}

package io.godwit.ram;

import static io.godwit.ram.RamBlock.PAGE_SIZE;

import io.godwit.savevm.SaveContext;
import io.godwit.stats.Counter;
import io.godwit.stats.MigrationCounters;

/**
 * The source's dirty sync and its accounting: takes the writers' dirty marks into the to-send
 * bitmaps, counts the syncs and the pages they found, and measures the dirty rate. One per
 * migration, made at saveSetup; used by the migration thread only.
 */
final class DirtySync {
    /** The dirty rate is taken over the syncs at least this far apart (QEMU: a second; see sync). */
    private static final long RATE_PERIOD_NANOS = 100_000_000L;

    private final SaveContext save;
    private final RamBlock[] saving;
    private final PagesToSend pages;
    private final XbzrleSender xbzrle; // null without capability xbzrle
    private long periodStart = -1; // -1: no rate window yet
    private long periodDirtyPages;

    DirtySync(SaveContext save, RamBlock[] saving, PagesToSend pages, XbzrleSender xbzrle) {
        this.save = save;
        this.saving = saving;
        this.pages = pages;
        this.xbzrle = xbzrle;
    }

    /**
     * The first pass: takes what writers marked so far and counts pass 1; what they marked before
     * the migration began is no rate, so the rate's window starts after it.
     */
    void first() {
        periodStart = -1;
        sync();
        periodStart = save.clock().nanoTime();
        periodDirtyPages = 0;
    }

    /**
     * Takes the writers' dirty marks into the migration bitmaps (QEMU migration_bitmap_sync). The
     * dirty rate counts every page written since the last sync, whether or not it was still
     * waiting to be sent: QEMU counts only the newly dirty ones over periods of a second, which
     * reads 0 through the whole first pass (every page is waiting then) and for any migration
     * shorter than a second.
     */
    void sync() {
        long fresh = 0;
        long[] written = new long[1];
        for (int i = 0; i < saving.length; i++) {
            saving[i].tracker().collect(saving[i]);
            fresh += saving[i].dirtyBitmap().drainInto(pages.bitmap(i), saving[i].populatedWords(), written);
        }
        pages.added(fresh);
        periodDirtyPages += written[0];
        MigrationCounters c = save.counters();
        c.add(Counter.DIRTY_SYNC_COUNT, 1);
        c.add(Counter.DIRTY_PAGES_SYNCED, fresh);
        c.set(Counter.DIRTY_BYTES_LAST_SYNC, pages.remaining() * PAGE_SIZE);
        c.set(Counter.RAM_REMAINING, pages.remaining() * PAGE_SIZE);
        long now = save.clock().nanoTime();
        if (periodStart >= 0 && now - periodStart >= RATE_PERIOD_NANOS) {
            c.set(Counter.DIRTY_PAGES_RATE, periodDirtyPages * 1_000_000_000L / (now - periodStart));
            if (xbzrle != null) {
                xbzrle.updateRates(c.get(Counter.NORMAL_PAGES) + c.get(Counter.ZERO_PAGES)
                        + c.get(Counter.XBZRLE_PAGES));
            }
            periodStart = now;
            periodDirtyPages = 0;
        }
    }
}

package io.godwit.ram;

import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The source's migration bitmaps: per block the pages still to send (all of them at setup, the
 * bulk pass, then what each sync adds), how many they are, and the cursor the scan goes on from.
 * Owned by the migration thread between saveSetup and saveCleanup; in postcopy-preempt the
 * return-path thread takes requested pages too, so taking a page is done under one lock.
 */
final class PagesToSend {
    /** Runs, under the lock, each time the scan wraps around to the first block. */
    @FunctionalInterface
    interface RoundEnd {
        void ended(StreamOutput out) throws IOException;
    }

    private final RoundEnd roundEnd;
    private final ReentrantLock pageLock = new ReentrantLock(); // the to-send bitmaps, dirtyPages
    private long[][] bitmaps;
    private long dirtyPages;
    private int cursorBlock;
    private long cursorPage;

    PagesToSend(RoundEnd roundEnd) {
        this.roundEnd = roundEnd;
    }

    /** The bulk pass: every page of every block is to send, from the first. */
    void start(RamBlock[] saving) {
        bitmaps = new long[saving.length][];
        dirtyPages = 0;
        for (int i = 0; i < saving.length; i++) {
            bitmaps[i] = allPages(saving[i].pages());
            dirtyPages += saving[i].pages();
        }
        cursorBlock = 0;
        cursorPage = 0;
    }

    private static long[] allPages(long pages) {
        long[] words = new long[(int) ((pages + 63) >>> 6)];
        java.util.Arrays.fill(words, -1L);
        if ((pages & 63) != 0) {
            words[words.length - 1] = -1L >>> (64 - (pages & 63));
        }
        return words;
    }

    void clear() {
        bitmaps = null;
    }

    /** The to-send bitmap of block {@code b} (a sync drains the dirty marks into it). */
    long[] bitmap(int b) {
        return bitmaps[b];
    }

    /** A sync found {@code fresh} pages that were not waiting to be sent yet. */
    void added(long fresh) {
        dirtyPages += fresh;
    }

    /** Pages still to send. */
    long remaining() {
        return dirtyPages;
    }

    /** The block the last page taken by {@link #next} belongs to. */
    int cursorBlock() {
        return cursorBlock;
    }

    /** The scan starts over from the first page of the first block. */
    void rewind() {
        cursorBlock = 0;
        cursorPage = 0;
    }

    /** The scan goes on from page {@code page} of block {@code b}. */
    void moveCursor(int b, long page) {
        cursorBlock = b;
        cursorPage = page;
    }

    /** Takes page {@code p} of block {@code b} off what is left to send; false if it has gone. */
    boolean take(int b, long p) {
        pageLock.lock();
        try {
            long[] bm = bitmaps[b];
            int w = (int) (p >>> 6);
            if ((bm[w] & (1L << p)) == 0) {
                return false;
            }
            bm[w] &= ~(1L << p);
            dirtyPages--;
            return true;
        } finally {
            pageLock.unlock();
        }
    }

    void putBack(int b, long p) {
        pageLock.lock();
        try {
            bitmaps[b][(int) (p >>> 6)] |= 1L << p;
            dirtyPages++;
        } finally {
            pageLock.unlock();
        }
    }

    /** Takes the next dirty page from the cursor, wrapping around blocks; -1 when none is left. */
    long next(StreamOutput out) throws IOException {
        pageLock.lock(); // the return-path thread may take pages too (postcopy-preempt)
        try {
            if (dirtyPages == 0) {
                return -1;
            }
            while (true) {
                long[] bm = bitmaps[cursorBlock];
                int w = (int) (cursorPage >>> 6);
                if (w < bm.length) {
                    long v = bm[w] & (-1L << cursorPage);
                    while (v == 0 && ++w < bm.length) {
                        v = bm[w];
                    }
                    if (v != 0) {
                        int bit = Long.numberOfTrailingZeros(v);
                        bm[w] &= ~(1L << bit);
                        long page = ((long) w << 6) + bit;
                        cursorPage = page + 1;
                        dirtyPages--;
                        return page;
                    }
                }
                cursorBlock = (cursorBlock + 1) % bitmaps.length;
                cursorPage = 0;
                if (cursorBlock == 0) {
                    roundEnd.ended(out);
                }
            }
        } finally {
            pageLock.unlock();
        }
    }

    /**
     * Resuming post-copy (ram.c ram_dirty_bitmap_reload): what is left to send in block {@code b}
     * of {@code pages} pages is every page the destination has not received; the scan starts over.
     */
    void reload(int b, long pages, long[] received) {
        long[] bm = bitmaps[b];
        long before = 0;
        long after = 0;
        for (int w = 0; w < bm.length; w++) {
            long valid = (w + 1L) * 64 <= pages ? -1L : -1L >>> (64 - (pages & 63));
            before += Long.bitCount(bm[w]);
            bm[w] = ~(w < received.length ? received[w] : 0) & valid;
            after += Long.bitCount(bm[w]);
        }
        dirtyPages += after - before;
        cursorBlock = 0;
        cursorPage = 0;
    }
}

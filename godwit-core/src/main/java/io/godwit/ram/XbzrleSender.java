package io.godwit.ram;

import static io.godwit.ram.RamBlock.PAGE_SHIFT;
import static io.godwit.ram.RamBlock.PAGE_SIZE;

import io.godwit.stats.Counter;
import io.godwit.stats.MigrationCounters;
import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The source's side of capability xbzrle (QEMU ram.c save_xbzrle_page): a {@link PageCache} of
 * pages as sent, keyed by their address in the RAM blocks laid end to end, and the encoding of a
 * page against its cached copy. It starts after the first full round over memory (before it every
 * page goes whole anyway), stays off in post-copy, and in the last stage neither fills nor updates
 * the cache. Owned by the migration thread; other threads only read the figures and ask for a
 * new cache size, which the owner applies at its next page.
 */
public final class XbzrleSender {
    /** What to send for a page. */
    public enum Outcome {
        /** The delta in {@link #encoded()}, {@link #encodedLength()} bytes, as an XBZRLE record. */
        DELTA,
        /** The page did not change since it was sent: nothing. */
        UNCHANGED,
        /** The page whole, from {@link #current()} (a miss or an overflow). */
        WHOLE
    }

    private final MigrationCounters counters;
    private volatile long requestedSize;
    private volatile long size;
    private volatile double cacheMissRate;
    private volatile double encodingRate;
    private PageCache cache;
    private Map<RamBlock, Long> bases = Map.of();
    private long ramPages;
    private boolean started;
    private boolean lastStage;
    private final byte[] current = new byte[PAGE_SIZE];
    private final byte[] encoded = new byte[PAGE_SIZE];
    private int encodedLength;
    private long prevMiss;
    private long prevPages;
    private long prevBytes;
    private long prevTargetPages;

    public XbzrleSender(long cacheSize, MigrationCounters counters) {
        this.counters = counters;
        this.requestedSize = cacheSize;
        this.size = cacheSize;
    }

    /** Lays the blocks out end to end for the cache's addresses; a new, empty cache (saveSetup). */
    void setup(RamBlock[] blocks) {
        Map<RamBlock, Long> b = new IdentityHashMap<>();
        long base = 0;
        for (RamBlock r : blocks) {
            b.put(r, base);
            base += r.size();
        }
        bases = b;
        ramPages = base >>> PAGE_SHIFT;
        size = requestedSize;
        cache = new PageCache(size, PAGE_SIZE, ramPages);
        started = false;
        lastStage = false;
    }

    /** xbzrle-cache-size changed: an empty cache of that size from the next page on (xbzrle_cache_resize). */
    public void resize(long bytes) {
        requestedSize = bytes;
    }

    /** The cache size in use or about to be. */
    public long cacheSize() {
        return requestedSize;
    }

    /** The first round over memory is done: from now on pages are cached and encoded. */
    void roundDone() {
        started = true;
    }

    /** Whether pages go through the cache now. */
    boolean started() {
        return started;
    }

    /** Stop-copy: what goes now is final, so the cache is neither filled nor updated. */
    void lastStage() {
        lastStage = true;
    }

    private long generation() {
        return counters.get(Counter.DIRTY_SYNC_COUNT);
    }

    private PageCache cache() {
        long want = requestedSize;
        if (want != size) {
            size = want;
            cache = new PageCache(want, PAGE_SIZE, ramPages);
        }
        return cache;
    }

    /**
     * A page sent as zero (or as unused) is cached as zero, so that a later delta of it starts from
     * what the destination has (xbzrle_cache_zero_page).
     */
    void zeroPageSent(RamBlock block, long page) {
        if (started) {
            cache().insert(bases.get(block) + (page << PAGE_SHIFT), ZeroPages.page(), 0, generation());
        }
    }

    /**
     * Copies the page to {@link #current()} and decides how it goes: a miss caches it and sends it
     * whole; a hit encodes it against the cached copy, which then becomes the page as sent.
     */
    Outcome encode(RamBlock block, long page) {
        long addr = bases.get(block) + (page << PAGE_SHIFT);
        MemorySegment.copy(block.segment(), java.lang.foreign.ValueLayout.JAVA_BYTE, page << PAGE_SHIFT, current, 0,
                PAGE_SIZE); // one read of the page: what is encoded is what is cached and what is sent
        PageCache c = cache();
        long gen = generation();
        if (!c.isCached(addr, gen)) {
            counters.add(Counter.XBZRLE_CACHE_MISS, 1);
            if (!lastStage) {
                c.insert(addr, MemorySegment.ofArray(current), 0, gen);
            }
            return Outcome.WHOLE;
        }
        counters.add(Counter.XBZRLE_PAGES, 1);
        byte[] old = c.get(addr);
        int n = XbzrleEncoder.encode(old, current, PAGE_SIZE, encoded, PAGE_SIZE);
        if (!lastStage && n != XbzrleEncoder.UNCHANGED) {
            System.arraycopy(current, 0, old, 0, PAGE_SIZE);
        }
        if (n == XbzrleEncoder.UNCHANGED) {
            return Outcome.UNCHANGED;
        }
        if (n == XbzrleEncoder.OVERFLOW) {
            counters.add(Counter.XBZRLE_OVERFLOW, 1);
            counters.add(Counter.XBZRLE_BYTES, PAGE_SIZE);
            return Outcome.WHOLE;
        }
        encodedLength = n;
        return Outcome.DELTA;
    }

    /** The record of a delta went out: {@code recordBytes} of it, its 8-byte word included. */
    void deltaSent(long recordBytes) {
        counters.add(Counter.XBZRLE_BYTES, recordBytes - 8); // QEMU leaves the word out
    }

    /** The page as read by the last {@link #encode}. */
    byte[] current() {
        return current;
    }

    byte[] encoded() {
        return encoded;
    }

    int encodedLength() {
        return encodedLength;
    }

    /**
     * The rates over the period since the last call (migration_update_rates): cache misses per
     * page sent, and bytes of encoded pages per byte sent for them (0 when nothing was encoded).
     *
     * @param targetPages pages sent so far, in any form
     */
    void updateRates(long targetPages) {
        long pageCount = targetPages - prevTargetPages;
        if (pageCount <= 0) {
            return;
        }
        prevTargetPages = targetPages;
        long miss = counters.get(Counter.XBZRLE_CACHE_MISS);
        long pages = counters.get(Counter.XBZRLE_PAGES);
        long bytes = counters.get(Counter.XBZRLE_BYTES);
        cacheMissRate = (double) (miss - prevMiss) / pageCount;
        long encodedBytes = bytes - prevBytes;
        encodingRate = pages == prevPages || encodedBytes == 0 ? 0 : (double) (pages - prevPages) * PAGE_SIZE / encodedBytes;
        prevMiss = miss;
        prevPages = pages;
        prevBytes = bytes;
    }

    public double cacheMissRate() {
        return cacheMissRate;
    }

    public double encodingRate() {
        return encodingRate;
    }
}

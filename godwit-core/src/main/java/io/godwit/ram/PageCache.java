package io.godwit.ram;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The source's copies of pages as last sent, for XBZRLE (QEMU migration/page_cache.c): a
 * power-of-two number of slots, a page's slot chosen by its address, one page per slot. A slot
 * keeps its page while it is fresh (used within the last two dirty syncs), so a page written
 * often is not pushed out by one written once. Slot memory is taken when a slot is first filled,
 * and there are never more slots than RAM pages: the cache holds at most min(size, RAM).
 * Not thread-safe: the migration thread owns it.
 */
final class PageCache {
    /** QEMU's CACHED_PAGE_LIFETIME: a slot used this many syncs ago may be taken by another page. */
    static final long LIFETIME = 2;

    private final int pageSize;
    private final int mask;
    private final long[] addrs;
    private final long[] ages;
    private final byte[][] data;

    /**
     * @param size the cache size in bytes, at least one page
     * @param ramPages how many pages the migrated RAM has: more slots than that would never fill
     */
    PageCache(long size, int pageSize, long ramPages) {
        if (size < pageSize) {
            throw new IllegalArgumentException("cache of " + size + " bytes; expected at least a page of " + pageSize);
        }
        long slots = Long.highestOneBit(size / pageSize); // QEMU rounds down to a power of two
        long most = Long.highestOneBit(Math.max(1, ramPages - 1)) << 1;
        slots = Math.min(slots, Math.min(most, 1L << 30));
        this.pageSize = pageSize;
        this.mask = (int) slots - 1;
        this.addrs = new long[(int) slots];
        this.ages = new long[(int) slots];
        this.data = new byte[(int) slots][];
        Arrays.fill(addrs, -1);
    }

    /** Slots the cache has. */
    int slots() {
        return addrs.length;
    }

    private int slot(long addr) {
        return (int) (addr / pageSize) & mask;
    }

    /** Whether {@code addr}'s page is here; a hit makes it fresh as of {@code age}. */
    boolean isCached(long addr, long age) {
        int i = slot(addr);
        if (addrs[i] == addr) {
            ages[i] = age;
            return true;
        }
        return false;
    }

    /** The cached copy of {@code addr}'s page, which the caller may update in place; null if absent. */
    byte[] get(long addr) {
        int i = slot(addr);
        return addrs[i] == addr ? data[i] : null;
    }

    /**
     * Puts a copy of {@code page} (at {@code off}) in {@code addr}'s slot, unless the slot holds
     * another page still fresh. A page's own slot always takes it.
     *
     * @return the cached copy, or null when the slot was kept
     */
    byte[] insert(long addr, MemorySegment page, long off, long age) {
        int i = slot(addr);
        if (data[i] != null && addrs[i] != addr && ages[i] + LIFETIME > age) {
            return null;
        }
        if (data[i] == null) {
            data[i] = new byte[pageSize];
        }
        MemorySegment.copy(page, ValueLayout.JAVA_BYTE, off, data[i], 0, pageSize);
        ages[i] = age;
        addrs[i] = addr;
        return data[i];
    }
}

package io.godwit.reference.workload;

import io.godwit.ram.RamBlock;
import java.util.List;

/** All pages of a machine's RAM blocks numbered 0..n-1 in block order, for workloads that pick pages. */
final class PageSpace {
    private final RamBlock[] blocks;
    private final long[] firstPage; // global index of each block's page 0
    private final long pages;

    PageSpace(List<RamBlock> ram) {
        blocks = ram.toArray(RamBlock[]::new);
        firstPage = new long[blocks.length];
        long n = 0;
        for (int i = 0; i < blocks.length; i++) {
            firstPage[i] = n;
            n += blocks[i].pages();
        }
        pages = n;
        if (pages == 0) {
            throw new IllegalStateException("the machine has no RAM for this workload");
        }
    }

    long pages() {
        return pages;
    }

    int blockOf(long page) {
        int lo = 0;
        int hi = blocks.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (firstPage[mid] <= page) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Reads the word at byte {@code within} (8-byte aligned) of global page {@code page}. */
    long getLong(long page, int within) {
        int b = blockOf(page);
        return blocks[b].getLong(((page - firstPage[b]) << RamBlock.PAGE_SHIFT) + within);
    }

    /** Writes {@code value} at byte {@code within} (8-byte aligned) of global page {@code page}. */
    void putLong(long page, int within, long value) {
        int b = blockOf(page);
        blocks[b].putLong(((page - firstPage[b]) << RamBlock.PAGE_SHIFT) + within, value);
    }
}

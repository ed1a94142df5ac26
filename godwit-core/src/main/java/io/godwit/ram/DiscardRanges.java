package io.godwit.ram;

import static io.godwit.ram.RamBlock.PAGE_SHIFT;

import io.godwit.stream.RamDiscard;
import java.util.ArrayList;
import java.util.List;

/** Runs of set bits in a page bitmap, as byte ranges (ram.c postcopy_send_discard_bm_ram). */
final class DiscardRanges {
    private DiscardRanges() {}

    static List<RamDiscard.Range> of(long[] bitmap, long pages) {
        List<RamDiscard.Range> out = new ArrayList<>();
        long p = next(bitmap, pages, 0, true);
        while (p < pages) {
            long end = next(bitmap, pages, p, false);
            out.add(new RamDiscard.Range(p << PAGE_SHIFT, (end - p) << PAGE_SHIFT));
            p = next(bitmap, pages, end, true);
        }
        return out;
    }

    /** The first page from {@code from} whose bit is {@code set}, or {@code pages}. */
    private static long next(long[] bitmap, long pages, long from, boolean set) {
        if (from >= pages) {
            return pages;
        }
        int w = (int) (from >>> 6);
        long v = (set ? bitmap[w] : ~bitmap[w]) & (-1L << from);
        while (v == 0) {
            if (++w >= bitmap.length) {
                return pages;
            }
            v = set ? bitmap[w] : ~bitmap[w];
        }
        return Math.min(pages, ((long) w << 6) + Long.numberOfTrailingZeros(v));
    }
}

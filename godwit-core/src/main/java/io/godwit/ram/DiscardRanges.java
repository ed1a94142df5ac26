package io.godwit.ram;

import static io.godwit.ram.RamBlock.PAGE_SHIFT;
import static io.godwit.ram.RamBlock.PAGE_SIZE;

import io.godwit.stream.RamDiscard;
import io.godwit.stream.StreamFormatException;
import java.util.ArrayList;
import java.util.List;

/**
 * POSTCOPY_RAM_DISCARD ranges: on the source, the runs of set bits in a page bitmap (ram.c
 * postcopy_send_discard_bm_ram); on the destination, checked and applied to a block.
 */
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

    /** Checks every range of {@code d} against {@code b} first, then marks them all missing. */
    static void apply(RamBlock b, RamDiscard d, long at) throws StreamFormatException {
        for (RamDiscard.Range r : d.ranges()) {
            if ((r.start() & (PAGE_SIZE - 1)) != 0 || (r.length() & (PAGE_SIZE - 1)) != 0) {
                throw new StreamFormatException(String.format("ram_block_discard_range: Unaligned start address: "
                        + "0x%x (length 0x%x) in block '%s'", r.start(), r.length(), b.name()), at);
            }
            if (r.start() + r.length() > b.size()) {
                throw new StreamFormatException(String.format("ram_block_discard_range: Overrun block '%s' "
                        + "(0x%x/0x%x/0x%x)", b.name(), r.start(), r.length(), b.size()), at);
            }
        }
        for (RamDiscard.Range r : d.ranges()) {
            b.incoming().discard(r.start() >>> PAGE_SHIFT, (r.start() + r.length()) >>> PAGE_SHIFT);
        }
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

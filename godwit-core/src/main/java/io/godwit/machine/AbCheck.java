package io.godwit.machine;

import io.godwit.ram.RamBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the a-b pattern (QEMU tests/migration check_guests_ram): walking all pages in order,
 * each page's first byte equals the previous one, except once where it is one less (the writer
 * stopped there). Anything else is a page that was lost or is stale.
 */
public final class AbCheck {
    private static final int MAX_REPORTED = 10;

    /**
     * @param passed no bad page
     * @param value the first byte of the first page (how many sweeps the writer made, mod 256)
     * @param lastValue the first byte of the last page (0 until the writer's first sweep ends)
     * @param edge whether the one allowed step down was seen
     * @param badOffsets the first few bad pages, as "block+0xoffset"
     */
    public record Result(boolean passed, long pages, long badPages, int value, int lastValue, boolean edge,
            List<String> badOffsets) {}

    private AbCheck() {}

    public static Result check(Machine machine) {
        return check(machine.ram(), machine.storageAttributes());
    }

    public static Result check(List<RamBlock> blocks) {
        return check(blocks, null);
    }

    /** Pages the guest marked unused are skipped: they read as zero, whatever the writer did. */
    public static Result check(List<RamBlock> blocks, io.godwit.stattrib.StorageAttributes unused) {
        List<Range> ranges = new ArrayList<>();
        for (RamBlock b : blocks) {
            ranges.add(new Range(b, 0, b.pages()));
        }
        return checkRanges(ranges, unused);
    }

    /**
     * The check over {@code length} bytes of {@code block} from {@code offset}: the part of a
     * guest's memory its a-b writer sweeps (a QEMU guest's RAM also holds its code and ROMs).
     */
    public static Result check(RamBlock block, long offset, long length) {
        if (offset < 0 || length <= 0 || offset % RamBlock.PAGE_SIZE != 0 || length % RamBlock.PAGE_SIZE != 0
                || offset + length > block.size()) {
            throw new IllegalArgumentException(String.format("range 0x%x+0x%x of block '%s' (0x%x bytes): expected "
                    + "page-aligned offset and length within the block", offset, length, block.name(), block.size()));
        }
        return checkRanges(List.of(new Range(block, offset >>> RamBlock.PAGE_SHIFT, (offset + length) >>> RamBlock.PAGE_SHIFT)),
                null);
    }

    private record Range(RamBlock block, long fromPage, long toPage) {}

    private static Result checkRanges(List<Range> ranges, io.godwit.stattrib.StorageAttributes unused) {
        long pages = 0;
        long bad = 0;
        boolean edge = false;
        int first = -1;
        int last = -1;
        List<String> offsets = new ArrayList<>();
        for (Range r : ranges) {
            RamBlock b = r.block();
            // post-copy: ask for every missing page at once rather than one at a time
            b.awaitRange(r.fromPage() << RamBlock.PAGE_SHIFT, (r.toPage() - r.fromPage()) << RamBlock.PAGE_SHIFT);
            for (long p = r.fromPage(); p < r.toPage(); p++) {
                if (unused != null && unused.unused(b, p)) {
                    continue;
                }
                int v = b.getByte(p << RamBlock.PAGE_SHIFT) & 0xff;
                pages++;
                if (first < 0) {
                    first = v;
                } else if (v != last) {
                    if (((v + 1) & 0xff) == last && !edge) {
                        edge = true;
                    } else {
                        bad++;
                        if (offsets.size() < MAX_REPORTED) {
                            offsets.add(String.format("%s+0x%x (0x%02x after 0x%02x)", b.name(),
                                    p << RamBlock.PAGE_SHIFT, v, last));
                        }
                    }
                }
                last = v;
            }
        }
        return new Result(bad == 0, pages, bad, Math.max(first, 0), Math.max(last, 0), edge, List.copyOf(offsets));
    }
}

package io.godwit.ram;

import static io.godwit.ram.linux.PagemapScan.CHECK_WPASYNC;
import static io.godwit.ram.linux.PagemapScan.PAGE_IS_PFNZERO;
import static io.godwit.ram.linux.PagemapScan.PAGE_IS_PRESENT;
import static io.godwit.ram.linux.PagemapScan.PAGE_IS_SWAPPED;
import static io.godwit.ram.linux.PagemapScan.PAGE_IS_WRITTEN;
import static io.godwit.ram.linux.PagemapScan.WP_MATCHING;

import io.godwit.ram.linux.PagemapScan;
import io.godwit.ram.linux.Userfaultfd;
import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Kernel dirty tracking, as KVM's dirty log tracks a guest: the block's pages are write-protected
 * with a userfaultfd in asynchronous mode, so the first write to a page after protection is
 * resolved by the kernel in the fault (no message, no thread of ours) and leaves the page
 * "written". Each collect asks PAGEMAP_SCAN for the written pages and protects them again in the
 * same walk, so a write racing with the collect is either reported now or faults again and is
 * reported next time. Writes made by the kernel on our behalf (read(2) into the block) fault the
 * same way and are tracked too.
 *
 * <p>Blocks keep their transparent huge pages (RamMemory advises them). Measured on Linux 6.18:
 * the first write to a protected 2 MiB huge page splits it (30 to 240 us on a busy virtual
 * machine, once per huge page per migration) and only the 4 KiB page written is reported; later
 * first writes cost 2 to 6 us, as on any 4 KiB page. So tracking is no coarser with huge pages,
 * and the block keeps them outside migrations (and where it is never written during one). The
 * scan's ranges are marked as they come, whatever their granularity.
 */
final class KernelDirtyTracker implements DirtyTracker {
    static final long FEATURES = Userfaultfd.FEATURE_WP_ASYNC | Userfaultfd.FEATURE_WP_UNPOPULATED;
    private static final int VEC_LEN = 4096; // ranges per ioctl (96 KiB); a longer scan loops
    private static final PagemapScan.Query WRITTEN = new PagemapScan.Query(WP_MATCHING | CHECK_WPASYNC, 0,
            PAGE_IS_WRITTEN, 0, PAGE_IS_WRITTEN);
    // Present and not the shared zero page: may hold data.
    private static final PagemapScan.Query HOLDS_DATA = new PagemapScan.Query(0, PAGE_IS_PFNZERO,
            PAGE_IS_PRESENT | PAGE_IS_PFNZERO, 0, PAGE_IS_PRESENT);
    private static final PagemapScan.Query SWAPPED = new PagemapScan.Query(0, 0, PAGE_IS_SWAPPED, 0, PAGE_IS_SWAPPED);

    private record Armed(Userfaultfd uffd, PagemapScan scan) {}

    private final Map<RamBlock, Armed> armed = new IdentityHashMap<>(); // guarded by this

    @Override
    public String name() {
        return "kernel";
    }

    @Override
    public String description() {
        return "kernel (userfaultfd async write-protect + PAGEMAP_SCAN)";
    }

    /**
     * Protects the block, then marks the pages that hold data already: written before tracking
     * started, they are not "written" to the kernel any more. Swapped-out pages are taken before
     * the protection, since the protection leaves markers on empty entries that the scan counts
     * as swapped; present pages after it, so a write in between is not lost.
     */
    @Override
    public synchronized void start(RamBlock block) {
        if (armed.containsKey(block)) {
            throw new IllegalStateException("kernel dirty tracking already runs on " + block);
        }
        if (!RamMemory.mapped()) {
            throw new IllegalStateException("kernel dirty tracking needs RAM blocks that are anonymous mappings; "
                    + block + " is not");
        }
        MemorySegment seg = block.segment();
        PagemapScan scan = new PagemapScan(VEC_LEN);
        Userfaultfd uffd = null;
        try {
            scan.scan(seg, SWAPPED, (s, e, c) -> mark(block, s, e));
            uffd = Userfaultfd.open(FEATURES);
            uffd.register(seg, Userfaultfd.REGISTER_MODE_WP);
            uffd.writeProtect(seg, true);
            scan.scan(seg, HOLDS_DATA, (s, e, c) -> mark(block, s, e));
        } catch (RuntimeException e) {
            scan.close();
            if (uffd != null) {
                uffd.close(); // closing the last reference unregisters the range
            }
            throw e;
        }
        armed.put(block, new Armed(uffd, scan));
        block.zeroPagesKnown(true);
    }

    @Override
    public synchronized void collect(RamBlock block) {
        Armed a = armed.get(block);
        if (a == null) {
            throw new IllegalStateException("kernel dirty tracking is not running on " + block);
        }
        a.scan().scan(block.segment(), WRITTEN, (s, e, c) -> mark(block, s, e));
    }

    @Override
    public synchronized void stop(RamBlock block) {
        Armed a = armed.remove(block);
        if (a == null) {
            return; // never started (a migration that failed in setup)
        }
        block.zeroPagesKnown(false);
        try {
            a.uffd().unregister(block.segment());
        } catch (RuntimeException e) {
            // the block may be unmapped already; closing the descriptor releases it anyway
        } finally {
            a.uffd().close();
            a.scan().close();
        }
    }

    /** Marks the pages of {@code [start, end)} (addresses, clipped to the block) dirty. */
    private static void mark(RamBlock block, long start, long end) {
        long base = block.segment().address();
        long from = Math.max(0, start - base) >>> RamBlock.PAGE_SHIFT;
        long to = Math.min(block.size(), Math.max(0, end - base) + RamBlock.PAGE_SIZE - 1) >>> RamBlock.PAGE_SHIFT;
        if (from < to) {
            block.dirtyBitmap().markRange(from, to);
        }
    }
}

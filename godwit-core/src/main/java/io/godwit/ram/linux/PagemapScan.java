package io.godwit.ram.linux;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * The PAGEMAP_SCAN ioctl on /proc/self/pagemap (linux/fs.h, Linux 6.7+): finds the pages of a
 * range that fall in given categories, returned as address ranges, and can write-protect the
 * matching pages again in the same walk (atomically per page table entry). One thread at a time:
 * the argument and the output vector are reused.
 */
public final class PagemapScan implements AutoCloseable {
    public static final long PAGE_IS_WPALLOWED = 1L << 0;
    public static final long PAGE_IS_WRITTEN = 1L << 1;
    public static final long PAGE_IS_FILE = 1L << 2;
    public static final long PAGE_IS_PRESENT = 1L << 3;
    public static final long PAGE_IS_SWAPPED = 1L << 4;
    public static final long PAGE_IS_PFNZERO = 1L << 5;
    public static final long PAGE_IS_HUGE = 1L << 6;
    /** Write-protect the pages that matched. */
    public static final long WP_MATCHING = 1L << 0;
    /** Fail (EPERM) on a page that is not under asynchronous write-protection. */
    public static final long CHECK_WPASYNC = 1L << 1;

    static final StructLayout PAGE_REGION = MemoryLayout.structLayout(
            JAVA_LONG.withName("start"), JAVA_LONG.withName("end"), JAVA_LONG.withName("categories"));
    static final StructLayout ARG = MemoryLayout.structLayout(
            JAVA_LONG.withName("size"), JAVA_LONG.withName("flags"), JAVA_LONG.withName("start"),
            JAVA_LONG.withName("end"), JAVA_LONG.withName("walk_end"), JAVA_LONG.withName("vec"),
            JAVA_LONG.withName("vec_len"), JAVA_LONG.withName("max_pages"), JAVA_LONG.withName("category_inverted"),
            JAVA_LONG.withName("category_mask"), JAVA_LONG.withName("category_anyof_mask"),
            JAVA_LONG.withName("return_mask"));
    static final long PAGEMAP_SCAN = Ioctl.iowr('f', 16, ARG.byteSize());

    private static final VarHandle SIZE = ARG.varHandle(groupElement("size"));
    private static final VarHandle FLAGS = ARG.varHandle(groupElement("flags"));
    private static final VarHandle START = ARG.varHandle(groupElement("start"));
    private static final VarHandle END = ARG.varHandle(groupElement("end"));
    private static final VarHandle WALK_END = ARG.varHandle(groupElement("walk_end"));
    private static final VarHandle VEC = ARG.varHandle(groupElement("vec"));
    private static final VarHandle VEC_LEN = ARG.varHandle(groupElement("vec_len"));
    private static final VarHandle MAX_PAGES = ARG.varHandle(groupElement("max_pages"));
    private static final VarHandle INVERTED = ARG.varHandle(groupElement("category_inverted"));
    private static final VarHandle MASK = ARG.varHandle(groupElement("category_mask"));
    private static final VarHandle ANYOF = ARG.varHandle(groupElement("category_anyof_mask"));
    private static final VarHandle RETURN = ARG.varHandle(groupElement("return_mask"));

    /** Which pages a scan reports, by PAGE_IS_* category. */
    public record Query(long flags, long inverted, long mask, long anyOf, long returnMask) {}

    /** Hears each reported range of addresses, {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeSink {
        void range(long start, long end, long categories);
    }

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment arg;
    private final MemorySegment vec;
    private final int vecLen;

    /** Opens /proc/self/pagemap, with room for {@code vecLen} ranges per ioctl. */
    public PagemapScan(int vecLen) {
        if (vecLen < 1) {
            throw new IllegalArgumentException("vecLen must be positive: " + vecLen);
        }
        this.vecLen = vecLen;
        this.arg = arena.allocate(ARG);
        this.vec = arena.allocate(PAGE_REGION, vecLen);
        try {
            this.fd = Syscalls.open("/proc/self/pagemap", Syscalls.O_RDONLY | Syscalls.O_CLOEXEC);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Scans {@code range}, passing every matching range to {@code sink}, and returns how many
     * pages of 4 KiB they cover. The kernel stops early when the output vector is full; the scan
     * then goes on from where the walk ended until it has covered the whole range.
     */
    public long scan(MemorySegment range, Query q, RangeSink sink) {
        long end = range.address() + range.byteSize();
        long from = range.address();
        long pages = 0;
        while (from < end) {
            arg.fill((byte) 0);
            SIZE.set(arg, 0L, ARG.byteSize());
            FLAGS.set(arg, 0L, q.flags());
            START.set(arg, 0L, from);
            END.set(arg, 0L, end);
            VEC.set(arg, 0L, vec.address());
            VEC_LEN.set(arg, 0L, (long) vecLen);
            MAX_PAGES.set(arg, 0L, 0L);
            INVERTED.set(arg, 0L, q.inverted());
            MASK.set(arg, 0L, q.mask());
            ANYOF.set(arg, 0L, q.anyOf());
            RETURN.set(arg, 0L, q.returnMask());
            int n = Syscalls.ioctl(fd, PAGEMAP_SCAN, arg, "PAGEMAP_SCAN");
            if (n > vecLen) {
                throw new IllegalStateException("PAGEMAP_SCAN returned " + n + " ranges; room for " + vecLen);
            }
            for (int i = 0; i < n; i++) {
                long s = vec.getAtIndex(JAVA_LONG, 3L * i);
                long e = vec.getAtIndex(JAVA_LONG, 3L * i + 1);
                pages += (e - s) >>> 12;
                sink.range(s, e, vec.getAtIndex(JAVA_LONG, 3L * i + 2));
            }
            long walkEnd = (long) WALK_END.get(arg, 0L);
            if (walkEnd <= from || walkEnd > end) {
                throw new IllegalStateException(String.format(
                        "PAGEMAP_SCAN walked to 0x%x from 0x%x; expected progress up to 0x%x", walkEnd, from, end));
            }
            from = walkEnd;
        }
        return pages;
    }

    @Override
    public void close() {
        Syscalls.close(fd);
        arena.close();
    }
}

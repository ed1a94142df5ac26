package io.godwit.ram;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Off-heap memory for RAM blocks. On Linux it is an anonymous private mapping advised for huge
 * pages, as QEMU's guest RAM is: pages cost nothing until first written. {@code prealloc} writes
 * every page up front (QEMU's -mem-prealloc), so that first-touch cost stays out of a
 * measurement; page-table population alone (MAP_POPULATE, MADV_POPULATE_WRITE) was measured not
 * to be enough on virtual machines whose host backs memory lazily. Elsewhere, or when native
 * access is not granted, it falls back to a zeroed {@link Arena} allocation.
 */
final class RamMemory {
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS_NORESERVE = 0x02 | 0x20 | 0x4000;
    private static final int MADV_HUGEPAGE = 14;
    private static final long HUGE_PAGE = 2L << 20;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;

    static {
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        MethodHandle madvise = null;
        try {
            if (System.getProperty("os.name", "").toLowerCase().contains("linux")
                    && RamMemory.class.getModule().isNativeAccessEnabled()) {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            }
        } catch (RuntimeException | LinkageError e) {
            mmap = null;
            munmap = null;
            madvise = null;
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
    }

    private RamMemory() {}

    /** True when blocks are real anonymous mappings (lazily populated). */
    static boolean mapped() {
        return MMAP != null;
    }

    /** Allocates {@code size} zeroed bytes that live until {@code arena} closes. */
    static MemorySegment allocate(Arena arena, long size, boolean prealloc) {
        if (MMAP != null) {
            try {
                MemorySegment addr = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, size, PROT_READ_WRITE,
                        MAP_PRIVATE_ANONYMOUS_NORESERVE, -1, 0L);
                if (addr.address() != -1L) {
                    int ignored = (int) MADVISE.invokeExact(addr, size, MADV_HUGEPAGE); // best effort
                    MemorySegment seg = addr.reinterpret(size, arena, RamMemory::unmap);
                    if (prealloc) {
                        touch(seg);
                    }
                    return seg;
                }
            } catch (Throwable t) {
                // fall through to the portable allocation
            }
        }
        MemorySegment seg = arena.allocate(size, 4096);
        return seg;
    }

    /** Writes a zero into every page, in parallel: the memory is backed, and still all zero. */
    private static void touch(MemorySegment seg) {
        long chunks = (seg.byteSize() + HUGE_PAGE - 1) / HUGE_PAGE;
        java.util.stream.LongStream.range(0, chunks).parallel().forEach(c -> {
            long end = Math.min(seg.byteSize(), (c + 1) * HUGE_PAGE);
            for (long off = c * HUGE_PAGE; off < end; off += 4096) {
                seg.set(ValueLayout.JAVA_BYTE, off, (byte) 0);
            }
        });
    }

    private static void unmap(MemorySegment seg) {
        try {
            int rc = (int) MUNMAP.invokeExact(seg, seg.byteSize());
            assert rc == 0;
        } catch (Throwable t) {
            // the process keeps the mapping; nothing else to do
        }
    }
}

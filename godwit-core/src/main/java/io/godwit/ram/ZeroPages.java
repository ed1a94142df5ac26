package io.godwit.ram;

import static io.godwit.ram.RamBlock.PAGE_SIZE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Zero-page detection (QEMU's buffer_is_zero). */
public final class ZeroPages {
    private static final MemorySegment ZERO = Arena.global().allocate(PAGE_SIZE, 64);
    private static final MemorySegment ZERO_VIEW = ZERO.asReadOnly();

    private ZeroPages() {}

    /** A page of zeros (read-only): what a ZERO record stands for. */
    static MemorySegment page() {
        return ZERO_VIEW;
    }

    /** True when the page at {@code offset} of {@code seg} is all zero bytes. */
    public static boolean isZero(MemorySegment seg, long offset) {
        // most non-zero pages differ in their first word: skip the vectorised compare for them
        if (seg.get(ValueLayout.JAVA_LONG_UNALIGNED, offset) != 0) {
            return false;
        }
        return MemorySegment.mismatch(seg, offset, offset + PAGE_SIZE, ZERO, 0, PAGE_SIZE) == -1;
    }
}

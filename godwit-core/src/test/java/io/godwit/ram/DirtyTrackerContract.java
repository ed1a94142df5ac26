package io.godwit.ram;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What every dirty tracker must do with plain {@code MemorySegment} stores: after a collect,
 * exactly the pages written since the last one are marked, and nothing when nothing was written.
 */
abstract class DirtyTrackerContract {
    static final long MIB = 1 << 20;

    abstract DirtyTracker tracker();

    /** Takes the block's dirty marks: the pages marked, in order. */
    static List<Long> take(RamBlock b) {
        long[] into = new long[b.dirtyBitmap().wordCount()];
        b.dirtyBitmap().drainInto(into, null);
        List<Long> pages = new ArrayList<>();
        for (int w = 0; w < into.length; w++) {
            for (long v = into[w]; v != 0; v &= v - 1) {
                pages.add(((long) w << 6) + Long.numberOfTrailingZeros(v));
            }
        }
        return pages;
    }

    static void write(RamBlock b, long page, int at, long value) {
        b.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, (page << RamBlock.PAGE_SHIFT) + at, value);
    }

    @Test
    void collectMarksExactlyThePagesWrittenSinceStart() {
        DirtyTracker t = tracker();
        try (RamBlock b = new RamBlock("pc.ram", 8 * MIB, false, t)) {
            for (long p = 0; p < 100; p++) {
                write(b, p, 0, p + 1); // data from before the migration
            }
            t.start(b);
            try {
                take(b);
                long[] written = {5, 6, 511, 512, 1000, 2047, 1500};
                for (long p : written) {
                    write(b, p, 4088, 0x1122334455667788L); // the page's last word
                }
                write(b, 1000, 8, 42); // twice: still one mark
                t.collect(b);
                assertThat(take(b)).containsExactlyElementsOf(new TreeSet<>(List.of(5L, 6L, 511L, 512L, 1000L, 1500L, 2047L)));
                t.collect(b);
                assertThat(take(b)).as("no writes since the last collect").isEmpty();
            } finally {
                t.stop(b);
            }
        }
    }

    @Test
    void pagesHoldingDataBeforeStartAreMarkedAtStart() {
        DirtyTracker t = tracker();
        try (RamBlock b = new RamBlock("pc.ram", 8 * MIB, false, t)) {
            write(b, 1500, 16, 7);
            write(b, 1501, 0, -1);
            t.start(b);
            try {
                assertThat(b.mayBeNonZero(10)).as("untouched: known zero while tracking runs").isFalse();
                assertThat(b.mayBeNonZero(1500)).isTrue();
                assertThat(take(b)).contains(1500L, 1501L).doesNotContain(0L, 10L);
            } finally {
                t.stop(b);
            }
            assertThat(b.mayBeNonZero(10)).as("untracked plain stores may come: nothing is known zero").isTrue();
        }
    }

    @Test
    void manyScatteredWritesAreAllFound() {
        DirtyTracker t = tracker();
        try (RamBlock b = new RamBlock("pc.ram", 64 * MIB, false, t)) {
            t.start(b);
            try {
                take(b);
                List<Long> expected = new ArrayList<>();
                for (long p = 0; p < b.pages(); p += 2) { // 8192 separate ranges
                    write(b, p, 0, p | 1);
                    expected.add(p);
                }
                t.collect(b);
                assertThat(take(b)).containsExactlyElementsOf(expected);
            } finally {
                t.stop(b);
            }
        }
    }

    @Test
    void startsAgainAfterStop() {
        DirtyTracker t = tracker();
        try (RamBlock b = new RamBlock("pc.ram", 4 * MIB, false, t)) {
            t.start(b);
            write(b, 3, 0, 1);
            t.collect(b);
            t.stop(b);
            write(b, 4, 0, 1); // untracked
            t.start(b);
            try {
                assertThat(take(b)).contains(3L, 4L);
                write(b, 900, 0, 1);
                t.collect(b);
                assertThat(take(b)).containsExactly(900L);
            } finally {
                t.stop(b);
            }
        }
    }

    @Test
    void oneTrackerServesSeveralBlocks() {
        DirtyTracker t = tracker();
        try (RamBlock a = new RamBlock("a", 2 * MIB, false, t); RamBlock b = new RamBlock("b", 2 * MIB, false, t)) {
            t.start(a);
            t.start(b);
            try {
                write(a, 1, 0, 1);
                write(b, 2, 0, 1);
                t.collect(a);
                t.collect(b);
                assertThat(take(a)).containsExactly(1L);
                assertThat(take(b)).containsExactly(2L);
            } finally {
                t.stop(a);
                t.stop(b);
            }
        }
    }

    static MemorySegment page(RamBlock b, long page) {
        return b.segment().asSlice(page << RamBlock.PAGE_SHIFT, RamBlock.PAGE_SIZE);
    }
}

package io.godwit.ram;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The hash backend: page contents compared at each collect, against what was last sent. */
class HashDirtyTrackerTest extends DirtyTrackerContract {
    @Override
    DirtyTracker tracker() {
        return DirtyTracking.create(DirtyTracking.Mode.HASH);
    }

    @Test
    void aPageSentInAnotherStateIsMarkedEvenIfItChangedBack() {
        DirtyTracker t = tracker();
        try (RamBlock b = new RamBlock("pc.ram", 1 * MIB, false, t); Arena arena = Arena.ofConfined()) {
            t.start(b);
            try {
                take(b);
                write(b, 7, 0, 1); // lock taken
                t.collect(b);
                assertThat(take(b)).containsExactly(7L);
                write(b, 7, 0, 2); // changed again, and sent in that state
                MemorySegment sentAgain = arena.allocate(RamBlock.PAGE_SIZE);
                sentAgain.copyFrom(page(b, 7));
                t.sent(b, 7, sentAgain);
                write(b, 7, 0, 1); // back to the state the last collect saw
                t.collect(b);
                assertThat(take(b)).as("the destination holds the page with 2, the source 1").containsExactly(7L);
                t.sent(b, 7, page(b, 7));
                t.collect(b);
                assertThat(take(b)).as("sent as it is now").isEmpty();
            } finally {
                t.stop(b);
            }
        }
    }

    @Test
    void aZeroRecordCountsAsSendingZeros() {
        DirtyTracker t = tracker();
        try (RamBlock b = new RamBlock("pc.ram", 1 * MIB, false, t)) {
            write(b, 3, 0, 9);
            t.start(b);
            try {
                take(b);
                t.sent(b, 3, ZeroPages.page()); // say the page went out as ZERO before the write was seen
                t.collect(b);
                assertThat(take(b)).containsExactly(3L);
            } finally {
                t.stop(b);
            }
        }
    }
}

package io.godwit.util.bitset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class AtomicBitSetTest {
    static final long PAGES = 200; // three full words and a partial fourth

    static List<Long> marked(AtomicBitSet b) {
        List<Long> pages = new ArrayList<>();
        for (long p = 0; p < b.pages(); p++) {
            if (b.isMarked(p)) {
                pages.add(p);
            }
        }
        return pages;
    }

    static List<Long> range(long from, long to) {
        return LongStream.range(from, to).boxed().toList();
    }

    @Test
    void marksSinglePagesAtWordEdges() {
        AtomicBitSet b = new AtomicBitSet(PAGES);
        for (long p : new long[] {0, 63, 64, 127, 128, 199}) {
            b.mark(p);
        }
        assertThat(marked(b)).containsExactly(0L, 63L, 64L, 127L, 128L, 199L);
        assertThat(b.word(0)).isEqualTo(0x8000000000000001L);
        assertThat(b.word(1)).isEqualTo(0x8000000000000001L);
    }

    @Test
    void marksRangeWithinOneWord() {
        AtomicBitSet b = new AtomicBitSet(PAGES);
        b.markRange(3, 7);
        assertThat(marked(b)).isEqualTo(range(3, 7));
        assertThat(b.word(0)).isEqualTo(0b1111000L);
    }

    @Test
    void marksRangeWithinALaterWord() {
        AtomicBitSet b = new AtomicBitSet(PAGES);
        b.markRange(130, 140);
        assertThat(marked(b)).isEqualTo(range(130, 140));
    }

    @Test
    void marksRangeAcrossAWordBoundary() {
        AtomicBitSet b = new AtomicBitSet(PAGES);
        b.markRange(60, 70);
        assertThat(marked(b)).isEqualTo(range(60, 70));
        assertThat(b.word(0)).isEqualTo(0xf000000000000000L);
        assertThat(b.word(1)).isEqualTo(0x3fL);
    }

    @Test
    void marksWholeWordsExactly() {
        AtomicBitSet b = new AtomicBitSet(PAGES);
        b.markRange(64, 192);
        assertThat(marked(b)).isEqualTo(range(64, 192));
        assertThat(b.word(0)).isZero();
        assertThat(b.word(1)).isEqualTo(-1L);
        assertThat(b.word(2)).isEqualTo(-1L);
        assertThat(b.word(3)).isZero();
    }

    @Test
    void marksRangeEndingOnAWordBoundaryWithoutTheNextPage() {
        AtomicBitSet b = new AtomicBitSet(PAGES);
        b.markRange(0, 64);
        assertThat(marked(b)).isEqualTo(range(0, 64));
        assertThat(b.word(1)).isZero();
    }

    @Test
    void marksRangeStartingOnAWordBoundaryAndOnePageLong() {
        AtomicBitSet b = new AtomicBitSet(PAGES);
        b.markRange(128, 129);
        assertThat(marked(b)).containsExactly(128L);
        b.markRange(127, 128);
        assertThat(marked(b)).containsExactly(127L, 128L);
    }

    @Test
    void marksRangeToTheLastPage() {
        AtomicBitSet b = new AtomicBitSet(PAGES);
        b.markRange(190, 200);
        assertThat(marked(b)).isEqualTo(range(190, 200));
    }

    @Test
    void marksNothingForAnEmptyRange() {
        AtomicBitSet b = new AtomicBitSet(PAGES);
        b.markRange(70, 70);
        assertThat(marked(b)).isEmpty();
    }

    @Test
    void marksEveryPageOfTheWholeRange() {
        AtomicBitSet b = new AtomicBitSet(PAGES);
        b.markRange(0, PAGES);
        assertThat(marked(b)).isEqualTo(range(0, PAGES));
    }

    @Test
    void drainReturnsNewlySetPagesAndClearsTheMarks() {
        AtomicBitSet b = new AtomicBitSet(PAGES);
        b.markRange(10, 20);
        b.mark(150);
        long[] into = new long[4];
        into[0] = 1L << 15; // already in the migration bitmap: not new
        long[] also = new long[4];
        assertThat(b.drainInto(into, also)).isEqualTo(10);
        assertThat(marked(b)).isEmpty();
        assertThat(into[0]).as("pages 10..19; 15 was there before").isEqualTo(0xffc00L);
        assertThat(into[2]).isEqualTo(1L << 22);
        assertThat(also[0]).isEqualTo(0xffc00L);
        assertThat(also[2]).isEqualTo(1L << 22);
        assertThat(b.drainInto(into, also)).as("nothing left").isZero();
    }

    @Test
    void drainKeepsWhatTheTargetAlreadyHad() {
        AtomicBitSet b = new AtomicBitSet(PAGES);
        b.mark(65);
        long[] into = {0, 1L, 0, 0};
        assertThat(b.drainInto(into, null)).isEqualTo(1);
        assertThat(into[1]).isEqualTo(0b11L);
    }

    @Test
    void marksAgainAfterADrain() {
        AtomicBitSet b = new AtomicBitSet(PAGES);
        b.mark(5);
        long[] into = new long[4];
        b.drainInto(into, null);
        b.mark(5);
        into[0] = 0;
        assertThat(b.drainInto(into, null)).isEqualTo(1);
        assertThat(into[0]).isEqualTo(1L << 5);
    }
}

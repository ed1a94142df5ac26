package io.godwit.util.bitset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Writers store their data, then mark the page, while the migration drains the bitmap: no mark is
 * lost, none is taken twice, and whoever takes a mark sees the data stored before it.
 */
class AtomicBitSetConcurrencyTest {
    static final int PAGES = 64 * 64 + 17;
    static final int WRITERS = 3;

    @RepeatedTest(5)
    void drainingWhileWritersMarkLosesNoMark() throws Exception {
        AtomicBitSet bitmap = new AtomicBitSet(PAGES);
        long[] data = new long[PAGES]; // plain stores, published by the mark
        int[] drained = new int[PAGES];
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int first = w;
                writers.add(pool.submit(() -> {
                    start.await();
                    // interleaved pages, so writers share words
                    for (int p = first; p < PAGES; p += WRITERS) {
                        data[p] = p + 1L;
                        bitmap.mark(p);
                    }
                    return null;
                }));
            }
            start.countDown();
            int passes = 0;
            while (!writers.stream().allMatch(Future::isDone) || passes == 0) {
                drain(bitmap, data, drained);
                passes++;
            }
            for (Future<?> f : writers) {
                f.get(30, TimeUnit.SECONDS);
            }
            drain(bitmap, data, drained); // the final pass, writers stopped
        } finally {
            pool.shutdownNow();
        }
        for (int p = 0; p < PAGES; p++) {
            assertThat(drained[p]).as("times page %d was drained", p).isEqualTo(1);
        }
    }

    private static void drain(AtomicBitSet bitmap, long[] data, int[] drained) {
        long[] into = new long[(PAGES + 63) / 64];
        long fresh = bitmap.drainInto(into, null);
        long counted = 0;
        for (int w = 0; w < into.length; w++) {
            for (long bits = into[w]; bits != 0; bits &= bits - 1) {
                int p = w * 64 + Long.numberOfTrailingZeros(bits);
                assertThat(data[p]).as("data of page %d seen by the drain", p).isEqualTo(p + 1L);
                drained[p]++;
                counted++;
            }
        }
        assertThat(fresh).isEqualTo(counted);
    }
}

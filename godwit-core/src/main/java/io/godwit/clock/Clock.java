package io.godwit.clock;

/**
 * Time as the engine sees it. Injected everywhere a decision depends on time (bandwidth windows,
 * rate limits, pacing of workloads), so tests run the loop on virtual time instead of sleeping.
 */
public interface Clock {
    /** Monotonic nanoseconds. */
    long nanoTime();

    default long millis() {
        return nanoTime() / 1_000_000;
    }

    /**
     * Waits up to {@code nanos}, or less when {@link #wake} is called for the waiting thread.
     * Callers re-check their condition after it returns.
     */
    void park(long nanos);

    /** Ends a {@link #park} of {@code thread} early (a cancel or an urgent request). */
    void wake(Thread thread);

    /** Waits until {@code deadlineNanos} (a {@link #nanoTime()} value) has passed. */
    default void sleepUntil(long deadlineNanos) {
        long left;
        while ((left = deadlineNanos - nanoTime()) > 0) {
            park(left);
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    static Clock system() {
        return SystemClock.INSTANCE;
    }
}

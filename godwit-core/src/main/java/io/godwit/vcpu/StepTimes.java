package io.godwit.vcpu;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The longest workload step of the recent past, for the migration's estimate of what stopping
 * the machine costs: a pause waits for every worker to finish the step it is in. Two windows of
 * one second each, so a long step is remembered for at least a second and forgotten after two.
 * Written by every worker thread; races only blur an estimate.
 */
final class StepTimes {
    static final long WINDOW_NANOS = 1_000_000_000L;

    private final AtomicLong current = new AtomicLong();
    private volatile long previous;
    private volatile long windowStart = Long.MIN_VALUE;

    void record(long startNanos, long endNanos) {
        roll(endNanos);
        long d = endNanos - startNanos;
        if (d > current.get()) {
            current.accumulateAndGet(d, Math::max);
        }
    }

    long longestNanos(long nowNanos) {
        roll(nowNanos);
        return Math.max(previous, current.get());
    }

    private void roll(long now) {
        long start = windowStart;
        if (start == Long.MIN_VALUE) {
            windowStart = now;
        } else if (now - start >= WINDOW_NANOS) {
            synchronized (this) {
                if (windowStart == start) {
                    previous = now - start >= 2 * WINDOW_NANOS ? 0 : current.get();
                    current.set(0);
                    windowStart = now;
                }
            }
        }
    }
}

package io.godwit.clock;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to: {@link #advance} by a test, or {@link #park} which jumps
 * straight to the end of the wait. For single-threaded tests of time-driven logic.
 */
public final class VirtualClock implements Clock {
    private final AtomicLong now;

    public VirtualClock() {
        this(1_000_000_000L);
    }

    public VirtualClock(long startNanos) {
        this.now = new AtomicLong(startNanos);
    }

    @Override
    public long nanoTime() {
        return now.get();
    }

    public void advance(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("time does not run backwards: " + nanos);
        }
        now.addAndGet(nanos);
    }

    public void advanceMillis(long millis) {
        advance(millis * 1_000_000);
    }

    @Override
    public void park(long nanos) {
        if (nanos > 0) {
            advance(nanos);
        }
    }

    @Override
    public void wake(Thread thread) {
        // parking never blocks here
    }
}

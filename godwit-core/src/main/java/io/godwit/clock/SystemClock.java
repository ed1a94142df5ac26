package io.godwit.clock;

import java.util.concurrent.locks.LockSupport;

/** The real clock: System.nanoTime and LockSupport parking. */
public final class SystemClock implements Clock {
    static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {}

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void park(long nanos) {
        LockSupport.parkNanos(nanos);
    }

    @Override
    public void wake(Thread thread) {
        LockSupport.unpark(thread);
    }
}

package io.godwit.vcpu;

import io.godwit.clock.Clock;

/**
 * Paces a rate-limited workload: tells it how many operations are due by now, and waits briefly
 * when none are, without delaying a pause by more than a millisecond.
 */
public final class WorkloadPacer {
    private static final long MAX_WAIT_NANOS = 1_000_000;

    private final Clock clock;
    private final RunGate gate;
    private long origin = -1;
    private long done;

    WorkloadPacer(Clock clock, RunGate gate) {
        this.clock = clock;
        this.gate = gate;
    }

    /**
     * How many operations are due, at {@code perSecond}, since pacing began or {@link #restart()},
     * capped at {@code max}. The caller does them and reports them with {@link #did}.
     */
    public long due(double perSecond, long max) {
        long now = clock.nanoTime();
        if (origin < 0) {
            origin = now;
        }
        long target = (long) ((now - origin) * perSecond / 1e9);
        long due = Math.min(max, target - done);
        if (due <= 0) {
            long next = origin + (long) Math.ceil((done + 1) * 1e9 / perSecond);
            if (!gate.closing()) {
                clock.park(Math.min(MAX_WAIT_NANOS, Math.max(1, next - now)));
            }
            return 0;
        }
        return due;
    }

    public void did(long n) {
        done += n;
    }

    /** The thread was held for {@code nanos} by a throttle: that time is not owed work. */
    void delay(long nanos) {
        if (origin >= 0) {
            origin += nanos;
        }
    }

    /** Forgets the past, so a long pause does not turn into a burst when the machine resumes. */
    void restart() {
        origin = -1;
        done = 0;
    }
}

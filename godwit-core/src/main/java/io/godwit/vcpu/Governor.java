package io.godwit.vcpu;

import io.godwit.clock.Clock;
import io.godwit.ram.PageWrites;

/**
 * One workload thread's side of {@link VcpuThrottle}: between steps, it sleeps the CPU throttle's
 * share and holds the thread once it has written its dirty-limit quota for the period. Owned by
 * that thread; the figures other threads read are volatile.
 */
final class Governor {
    private static final long MAX_PARK_NANOS = 1_000_000; // a stop is never delayed by more

    private final int index;
    private final String name;
    private final VcpuThrottle throttle;
    private final Clock clock;
    private final RunGate gate;
    private final WorkloadPacer pacer;
    private final PageWrites writes = new PageWrites();

    private long sliceStart = -1;  // CPU throttle: when the thread last began to run
    private long periodStart = -1; // dirty limit: the current period
    private long periodBasePages;
    private long heldInPeriod;
    private volatile long lastHeldNanos;
    private volatile long lastRate; // bytes/s over the running time of the last period
    private volatile long heldNanos;

    Governor(int index, String name, VcpuThrottle throttle, Clock clock, RunGate gate, WorkloadPacer pacer) {
        this.index = index;
        this.name = name;
        this.throttle = throttle;
        this.clock = clock;
        this.gate = gate;
        this.pacer = pacer;
    }

    PageWrites writes() {
        return writes;
    }

    /** The machine was stopped: the time it stood does not count as running or as a period. */
    void restart() {
        sliceStart = -1;
        periodStart = -1;
    }

    void afterStep() {
        cpuThrottle();
        dirtyLimit();
    }

    private void cpuThrottle() {
        long now = clock.nanoTime();
        int pct = throttle.cpuThrottle();
        if (pct == 0 || sliceStart < 0) {
            sliceStart = now;
            return;
        }
        long ran = now - sliceStart;
        if (ran >= VcpuThrottle.SLICE_NANOS) {
            hold((long) (ran * (pct / (100.0 - pct))) + 1, () -> throttle.cpuThrottle() > 0); // QEMU's +1 ns too
            sliceStart = clock.nanoTime();
        }
    }

    private void dirtyLimit() {
        long quota = throttle.limitBytesPerPeriod();
        long now = clock.nanoTime();
        if (quota == 0) {
            periodStart = -1;
            lastHeldNanos = 0;
            return;
        }
        long period = throttle.periodNanos();
        if (periodStart < 0) {
            startPeriod(now, 0);
            return;
        }
        long written = (writes.pages() - periodBasePages) * 4096;
        if (now - periodStart >= period) {
            long running = Math.max(1, now - periodStart - heldInPeriod);
            lastRate = (long) (written * 1e9 / running);
            lastHeldNanos = heldInPeriod;
            startPeriod(now, Math.max(0, written - quota)); // what went over is owed from the next quota
        } else if (written >= quota) {
            heldInPeriod += hold(periodStart + period - now, () -> throttle.dirtyLimit() > 0);
        }
    }

    private void startPeriod(long now, long owedBytes) {
        periodStart = now;
        periodBasePages = writes.pages() - owedBytes / 4096;
        heldInPeriod = 0;
    }

    /**
     * Sleeps up to {@code nanos}, less if the machine is stopping or the throttle ends (a
     * released writer wakes within a millisecond); returns the time slept.
     */
    private long hold(long nanos, java.util.function.BooleanSupplier stillWanted) {
        long start = clock.nanoTime();
        long end = start + nanos;
        long now = start;
        while (now < end && !gate.closing() && stillWanted.getAsBoolean()) {
            clock.park(Math.min(MAX_PARK_NANOS, end - now));
            now = clock.nanoTime();
        }
        long slept = now - start;
        heldNanos += slept;
        pacer.delay(slept);
        return slept;
    }

    int index() {
        return index;
    }

    String name() {
        return name;
    }

    long lastHeldNanos() {
        return lastHeldNanos;
    }

    long lastRateBytesPerSecond() {
        return throttle.dirtyLimit() == 0 ? 0 : lastRate;
    }

    long heldNanos() {
        return heldNanos;
    }

    long pagesWritten() {
        return writes.pages();
    }
}

package io.godwit.vcpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * How the machine's workload threads are slowed while a migration wants them slower, and what
 * that costs them. Two ways, as QEMU has them:
 *
 * <ul>
 *   <li><b>CPU throttle</b> (auto-converge; QEMU cpu-throttle.c): at {@code p} percent, a thread
 *       that has run for a 10 ms slice sleeps {@code p / (100 - p)} of the time it ran, so it runs
 *       {@code 100 - p} percent of the time.
 *   <li><b>Dirty limit</b> (dirty-limit; QEMU dirtylimit.c): each thread may write at most
 *       {@code limit x period} bytes of pages per period; once it has, it is held until the period
 *       ends. QEMU adjusts a sleep per full dirty ring from the measured rate; Godwit, having no
 *       ring, counts the pages each thread writes through RamBlock and holds it at its quota.
 * </ul>
 *
 * The threads check between steps; a sleep ends early when the machine stops. Time a thread is
 * held is not owed work: a paced workload does not catch up afterwards (see WorkloadPacer).
 */
public final class VcpuThrottle {
    /** QEMU's CPU_THROTTLE_TIMESLICE_NS. */
    static final long SLICE_NANOS = 10_000_000L;
    static final long MIB = 1L << 20;

    private final List<Governor> governors = new CopyOnWriteArrayList<>();
    private volatile int percent;
    private volatile long limitMbPerSecond; // 0: no dirty limit
    private volatile long periodNanos = 1_000_000_000L;

    VcpuThrottle() {}

    /** Sets the CPU throttle, percent; 0 ends it, other values are held to 1-99 as QEMU holds them. */
    public void setCpuThrottle(int pct) {
        percent = pct <= 0 ? 0 : Math.min(99, pct);
    }

    /** The CPU throttle in force, percent; 0 for none. */
    public int cpuThrottle() {
        return percent;
    }

    /** Caps every thread at {@code mbPerSecond} MiB/s of written pages, measured per {@code periodMs}. */
    public void setDirtyLimit(long mbPerSecond, long periodMs) {
        if (mbPerSecond < 1 || periodMs < 1) {
            throw new IllegalArgumentException("a dirty limit needs a rate and a period of at least 1");
        }
        periodNanos = periodMs * 1_000_000L;
        limitMbPerSecond = mbPerSecond;
    }

    /** Ends the dirty limit: the threads write at their own pace again. */
    public void cancelDirtyLimit() {
        limitMbPerSecond = 0;
    }

    /** The dirty limit in force, MiB/s; 0 for none. */
    public long dirtyLimit() {
        return limitMbPerSecond;
    }

    long limitBytesPerPeriod() {
        long mb = limitMbPerSecond;
        return mb == 0 ? 0 : Math.max(1, mb * MIB * periodNanos / 1_000_000_000L);
    }

    long periodNanos() {
        return periodNanos;
    }

    void add(Governor g) {
        governors.add(g);
    }

    void remove(Governor g) {
        governors.remove(g);
    }

    /**
     * One workload thread as query-vcpu-dirty-limit shows it, with Godwit's totals: the dirty
     * rate of its last period (MiB/s), the limit (0: none), the time it has been held by either
     * throttle, and the pages it has written.
     */
    public record Vcpu(int index, String name, long currentRateMb, long limitMb, long heldNanos, long pagesWritten) {}

    public List<Vcpu> vcpus() {
        List<Vcpu> out = new ArrayList<>();
        for (Governor g : governors) {
            out.add(new Vcpu(g.index(), g.name(), g.lastRateBytesPerSecond() / MIB, limitMbPerSecond,
                    g.heldNanos(), g.pagesWritten()));
        }
        return out;
    }

    /**
     * dirty-limit-throttle-time-per-round: the longest time one thread was held in its last whole
     * period, in µs (QEMU: the longest sleep per full dirty ring).
     */
    public long throttleTimePerRoundMicros() {
        long max = 0;
        for (Governor g : governors) {
            max = Math.max(max, g.lastHeldNanos());
        }
        return max / 1000;
    }

    /**
     * dirty-limit-ring-full-time: how long a thread writing at the threads' average rate of their
     * last periods takes to write its quota, in µs; 0 while nothing writes (QEMU: the time to fill
     * a dirty ring at the average rate).
     */
    public long ringFullTimeMicros() {
        long sum = 0;
        int n = 0;
        for (Governor g : governors) {
            long r = g.lastRateBytesPerSecond();
            if (r > 0) {
                sum += r;
                n++;
            }
        }
        long quota = limitBytesPerPeriod();
        if (n == 0 || quota == 0) {
            return 0;
        }
        return (long) (quota * 1e6 / ((double) sum / n));
    }
}

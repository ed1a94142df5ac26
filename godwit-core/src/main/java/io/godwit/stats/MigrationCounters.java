package io.godwit.stats;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Every counter of one migration in one place (QEMU migration-stats.c). Handlers and the loop add
 * to it from the migration thread; query-migrate reads it from any thread.
 */
public final class MigrationCounters {
    private final AtomicLongArray values = new AtomicLongArray(Counter.values().length);
    private volatile double mbps;
    private volatile double pagesPerSecond;

    public long get(Counter c) {
        return values.get(c.ordinal());
    }

    public void add(Counter c, long delta) {
        if (delta != 0) {
            values.addAndGet(c.ordinal(), delta);
        }
    }

    public void set(Counter c, long value) {
        values.set(c.ordinal(), value);
    }

    /** Throughput of the last bandwidth window, in megabits per second (QEMU's "mbps"). */
    public double mbps() {
        return mbps;
    }

    public double pagesPerSecond() {
        return pagesPerSecond;
    }

    public void setRates(double mbps, double pagesPerSecond) {
        this.mbps = mbps;
        this.pagesPerSecond = pagesPerSecond;
    }
}

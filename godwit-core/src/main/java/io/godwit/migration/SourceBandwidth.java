package io.godwit.migration;

import io.godwit.options.Parameters;
import io.godwit.stats.Counter;
import io.godwit.stats.MigrationCounters;
import io.godwit.trace.BandwidthEvent;
import io.godwit.trace.Trace;

/**
 * The source's bandwidth window (QEMU migration_update_counters and the rate limit): each 100 ms
 * window's byte budget, and from the bytes the window carried the threshold and the expected
 * downtime. The window is owned by the migration thread; query-migrate reads the threshold and
 * the expected downtime from any thread.
 */
final class SourceBandwidth {
    private final Migration m;
    private BandwidthWindow window; // owned by the migration thread
    private volatile long thresholdSize;
    private volatile long expectedDowntimeMs = -1;
    private volatile long loadNanos; // destination load time reported at the last iteration

    SourceBandwidth(Migration m) {
        this.m = m;
    }

    /** A fresh window from {@code now}, with {@code bytes} already sent. */
    void restart(long now, long bytes) {
        window = new BandwidthWindow(now, bytes);
    }

    BandwidthWindow window() {
        return window;
    }

    /** The threshold as last reported to query-migrate. */
    long thresholdSize() {
        return thresholdSize;
    }

    long expectedDowntimeMs() {
        return expectedDowntimeMs;
    }

    /** What the destination needs to load what is pending, as the handlers reported it last. */
    void loadNanos(long nanos) {
        loadNanos = nanos;
    }

    boolean rateExceeded() {
        Parameters p = m.parameters();
        return window.rateExceeded(m.channels.sent(), m.point.inPostcopy() ? p.maxPostcopyBandwidth() : p.maxBandwidth());
    }

    void update(long now) {
        MigrationCounters counters = m.counters();
        long bytes = m.channels.sent();
        counters.set(Counter.TRANSFERRED, bytes);
        long pages = counters.get(Counter.NORMAL_PAGES) + counters.get(Counter.ZERO_PAGES);
        long dirty = counters.get(Counter.DIRTY_PAGES_RATE) > 0 ? counters.get(Counter.DIRTY_BYTES_LAST_SYNC) : -1;
        SwitchCost fixed = m.accounting.estimate(m.channels.multifd());
        if (window.update(now, bytes, pages, dirty, m.parameters(), fixed)) {
            thresholdSize = window.thresholdSize();
            long expected = window.expectedDowntimeMs();
            expectedDowntimeMs = expected < 0 ? -1 : expected + (loadNanos + fixed.totalNanos()) / 1_000_000;
            counters.setRates(window.mbps(), window.pagesPerSecond());
            if (Trace.active()) {
                BandwidthEvent e = new BandwidthEvent();
                e.transferred = bytes;
                e.timeSpentMs = (long) window.timeSpentMs();
                e.bytesPerMs = window.bytesPerMs();
                e.thresholdSize = window.thresholdSize();
                e.commit();
            }
        }
    }
}

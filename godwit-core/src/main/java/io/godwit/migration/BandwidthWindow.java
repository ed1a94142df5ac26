package io.godwit.migration;

import io.godwit.options.Parameters;

/**
 * The 100 ms windows of the migration thread (QEMU migration_update_counters and the rate limit):
 * at the end of each window it measures the bandwidth, recomputes the threshold (bandwidth x
 * downtime-limit, or avail-switchover-bandwidth x downtime-limit when that is set) and the expected
 * downtime, and opens a new byte budget of max-bandwidth / 10. Owned by the migration thread.
 *
 * <p>Unlike QEMU, which takes the last window's bandwidth, the threshold takes the lowest of the
 * last {@link #SWITCHOVER_WINDOWS} windows: stop-copy runs at whatever the link and the machine
 * give at the switch, and one fast window must not promise a downtime that a slower one breaks.
 */
public final class BandwidthWindow {
    /** QEMU's BUFFER_DELAY. */
    public static final long WINDOW_NANOS = 100_000_000L;
    /** Windows per second (QEMU's XFER_LIMIT_RATIO). */
    public static final int WINDOWS_PER_SECOND = 10;
    /** How many of the last windows the switchover bandwidth is the lowest of (half a second). */
    public static final int SWITCHOVER_WINDOWS = 5;

    private long start;
    private long startBytes;
    private long startPages;
    private long rateLimitStart;
    /**
     * The largest threshold: far beyond any memory, and low enough that handlers may add to it
     * (threshold + 1, threshold + a chunk) without overflowing, whatever avail-switchover-bandwidth
     * and downtime-limit a client sets.
     */
    static final long MAX_THRESHOLD = 1L << 60;

    private long thresholdSize;
    private double timeSpentMs;
    private double bytesPerMs;
    private double mbps;
    private double pagesPerSecond;
    private long expectedDowntimeMs = -1;
    private double budgetMs;
    private double expectedBytesPerMs;
    private final double[] recent = new double[SWITCHOVER_WINDOWS]; // bytes/ms of the last windows
    private int windows;

    public BandwidthWindow(long nowNanos, long bytes) {
        start = nowNanos;
        startBytes = bytes;
        rateLimitStart = bytes;
    }

    /**
     * Closes the window if it has lasted 100 ms.
     *
     * @param dirtyBytesLastSync bytes dirty at the last sync (for expected downtime), or -1 if no
     *     dirty rate has been measured yet
     * @return true when a window closed and the figures changed
     */
    public boolean update(long now, long bytes, long pages, long dirtyBytesLastSync, Parameters p) {
        return update(now, bytes, pages, dirtyBytesLastSync, p, SwitchCost.NONE);
    }

    /**
     * As {@link #update(long, long, long, long, Parameters)}, with the threshold over the part of
     * downtime-limit the switch's fixed costs leave for bytes ({@link SwitchCost#budgetMs}).
     */
    public boolean update(long now, long bytes, long pages, long dirtyBytesLastSync, Parameters p, SwitchCost fixed) {
        if (now < start + WINDOW_NANOS) {
            return false;
        }
        long transferred = bytes - startBytes;
        timeSpentMs = (now - start) / 1e6;
        bytesPerMs = transferred / timeSpentMs;
        recent[windows++ % SWITCHOVER_WINDOWS] = bytesPerMs;
        double expectedPerMs = p.availSwitchoverBandwidth() > 0 ? p.availSwitchoverBandwidth() / 1000.0 : lowestRecent();
        budgetMs = fixed.budgetMs(p.downtimeLimitMs());
        expectedBytesPerMs = expectedPerMs;
        thresholdSize = (long) Math.min(MAX_THRESHOLD, expectedPerMs * budgetMs);
        mbps = transferred * 8.0 / (timeSpentMs / 1000.0) / 1e6;
        pagesPerSecond = (pages - startPages) / (timeSpentMs / 1000.0);
        if (dirtyBytesLastSync >= 0 && transferred > 10_000 && expectedPerMs > 0) {
            expectedDowntimeMs = (long) (dirtyBytesLastSync / expectedPerMs);
        }
        start = now;
        startBytes = bytes;
        startPages = pages;
        rateLimitStart = bytes;
        return true;
    }

    /** The lowest bandwidth of the last windows (all closed so far, up to {@link #SWITCHOVER_WINDOWS}). */
    private double lowestRecent() {
        double low = Double.MAX_VALUE;
        for (int i = 0; i < Math.min(windows, SWITCHOVER_WINDOWS); i++) {
            low = Math.min(low, recent[i]);
        }
        return low;
    }

    /** True when this window's budget of max-bandwidth / 10 bytes is spent (0 = unlimited). */
    public boolean rateExceeded(long bytes, long maxBandwidth) {
        return maxBandwidth > 0 && bytes - rateLimitStart > maxBandwidth / WINDOWS_PER_SECOND;
    }

    /** When the current window ends, in clock nanoseconds. */
    public long end() {
        return start + WINDOW_NANOS;
    }

    public long thresholdSize() {
        return thresholdSize;
    }

    /** How long the last closed window lasted, in ms (100 or a little more). */
    public double timeSpentMs() {
        return timeSpentMs;
    }

    /** The ms of downtime-limit the threshold was computed over (the limit less fixed costs). */
    public double budgetMs() {
        return budgetMs;
    }

    /** The bandwidth the threshold assumes, bytes/ms: measured, or avail-switchover-bandwidth. */
    public double expectedBytesPerMs() {
        return expectedBytesPerMs;
    }

    public double bytesPerMs() {
        return bytesPerMs;
    }

    public double mbps() {
        return mbps;
    }

    public double pagesPerSecond() {
        return pagesPerSecond;
    }

    /** Expected downtime in ms, or -1 until there is a measurement. */
    public long expectedDowntimeMs() {
        return expectedDowntimeMs;
    }
}

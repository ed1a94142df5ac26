package io.godwit.migration;

import io.godwit.stats.Counter;
import io.godwit.stats.MigrationCounters;
import io.godwit.stream.StreamConstants;
import io.godwit.device.DeviceHandler;
import java.util.ArrayList;
import java.util.List;

/**
 * A snapshot of a migration, with the figures of QEMU's query-migrate. Times are in ms; a time
 * that does not apply yet is -1.
 */
public record MigrationInfo(
        MigrationStatus status,
        String errorDesc,
        long totalTimeMs,
        long setupTimeMs,
        long downtimeMs,
        long expectedDowntimeMs,
        long thresholdSize,
        Ram ram,
        List<Device> devices,
        Disk disk,
        Postcopy postcopy,
        Throttle throttle,
        XbzrleCache xbzrleCache) {

    /** A snapshot without throttle or xbzrle figures. */
    public MigrationInfo(MigrationStatus status, String errorDesc, long totalTimeMs, long setupTimeMs, long downtimeMs,
            long expectedDowntimeMs, long thresholdSize, Ram ram, List<Device> devices, Disk disk, Postcopy postcopy) {
        this(status, errorDesc, totalTimeMs, setupTimeMs, downtimeMs, expectedDowntimeMs, thresholdSize, ram, devices,
                disk, postcopy, null, null);
    }

    /** A snapshot without post-copy figures. */
    public MigrationInfo(MigrationStatus status, String errorDesc, long totalTimeMs, long setupTimeMs, long downtimeMs,
            long expectedDowntimeMs, long thresholdSize, Ram ram, List<Device> devices, Disk disk) {
        this(status, errorDesc, totalTimeMs, setupTimeMs, downtimeMs, expectedDowntimeMs, thresholdSize, ram, devices,
                disk, null);
    }

    /**
     * Post-copy figures. Source: {@code timeMs}, from the switch (the stop) to now or the end.
     * Destination: page requests sent, page bytes placed after the switch, the waits' latency, and
     * with postcopy-blocktime the time some thread waited. Figures that do not apply are -1 (null).
     */
    /** {@code preemptPages}: page records that came on the postcopy-preempt channel; -1 without one. */
    public record Postcopy(long timeMs, long requests, long bytes, long blocktimeMs, Latency faultLatency,
            long preemptPages) {
        public Postcopy(long timeMs, long requests, long bytes, long blocktimeMs, Latency faultLatency) {
            this(timeMs, requests, bytes, blocktimeMs, faultLatency, -1);
        }
    }

    /**
     * The writers' throttles (auto-converge, dirty-limit), as query-migrate shows them.
     * {@code cpuThrottlePercentage}: the CPU throttle in force, 0 for none (QEMU shows the key
     * only then); {@code cpuThrottlePeak}: the highest this migration set. The dirty-limit figures
     * are -1 while no dirty limit is in force: {@code throttleTimePerRoundUs}, the longest a writer
     * thread was held in its last period; {@code ringFullTimeUs}, how long a writer at the average
     * rate takes to write its quota for a period.
     */
    public record Throttle(int cpuThrottlePercentage, int cpuThrottlePeak, long throttleTimePerRoundUs,
            long ringFullTimeUs) {}

    /**
     * The "xbzrle-cache" block of query-migrate (capability xbzrle), QEMU's meanings: the cache size;
     * bytes of XBZRLE records and of overflowed pages; pages encoded (cache hits); cache misses;
     * misses per page sent and encoded bytes per byte sent, both over the last rate period; pages
     * whose delta overflowed.
     */
    public record XbzrleCache(long cacheSize, long bytes, long pages, long cacheMiss, double cacheMissRate,
            double encodingRate, long overflow) {
        /** From the counters, with the rates of the sender (zero before the first period). */
        public static XbzrleCache of(MigrationCounters c, long cacheSize, double cacheMissRate, double encodingRate) {
            return new XbzrleCache(cacheSize, c.get(Counter.XBZRLE_BYTES), c.get(Counter.XBZRLE_PAGES),
                    c.get(Counter.XBZRLE_CACHE_MISS), cacheMissRate, encodingRate, c.get(Counter.XBZRLE_OVERFLOW));
        }
    }

    /** Waits for missing pages on the destination: how many, percentiles in µs, the mean in ns. */
    public record Latency(long count, long p50Us, long p99Us, long maxUs, long meanNs) {}

    /** The "disk" block of query-migrate (block migration), with Godwit's zero-block count. */
    public record Disk(long transferred, long remaining, long total, long zeroBlocks) {
        static Disk of(MigrationCounters c) {
            long total = c.get(Counter.DISK_TOTAL);
            return total == 0 ? null : new Disk(c.get(Counter.DISK_TRANSFERRED), c.get(Counter.DISK_REMAINING), total,
                    c.get(Counter.DISK_ZERO_BLOCKS));
        }
    }

    /** One device's figures (Godwit's "devices" block; QEMU has only the total under "vfio"). */
    public record Device(String id, String state, String policy, long transferred, long initialBytes,
            long dirtyBytes, long loadNanos) {

        static List<Device> of(List<DeviceHandler> handlers) {
            List<Device> out = new ArrayList<>();
            for (DeviceHandler h : handlers) {
                out.add(new Device(h.device().id(), h.device().state().name(), h.policy().qmpName, h.transferred(),
                        h.lastInitialBytes(), h.lastDirtyBytes(), h.lastLoadNanos()));
            }
            return List.copyOf(out);
        }
    }

    /**
     * The "ram" block of query-migrate, with Godwit's {@code dirtyTracking}: the RAM blocks' dirty
     * tracking backends ("explicit", "kernel", "hash"; comma-separated when they differ), or null.
     */
    public record Ram(long transferred, long remaining, long total, long duplicate, long normal, long normalBytes,
            double mbps, long dirtySyncCount, long dirtyPagesRate, double pagesPerSecond, long precopyBytes,
            long downtimeBytes, long postcopyBytes, long postcopyRequests, long skipped, long pageSize,
            String dirtyTracking) {

        public Ram(long transferred, long remaining, long total, long duplicate, long normal, long normalBytes,
                double mbps, long dirtySyncCount, long dirtyPagesRate, double pagesPerSecond, long precopyBytes,
                long downtimeBytes, long postcopyBytes, long postcopyRequests, long skipped, long pageSize) {
            this(transferred, remaining, total, duplicate, normal, normalBytes, mbps, dirtySyncCount, dirtyPagesRate,
                    pagesPerSecond, precopyBytes, downtimeBytes, postcopyBytes, postcopyRequests, skipped, pageSize, null);
        }

        static Ram of(MigrationCounters c) {
            return of(c, null);
        }

        static Ram of(MigrationCounters c, String dirtyTracking) {
            long normal = c.get(Counter.NORMAL_PAGES);
            return new Ram(c.get(Counter.TRANSFERRED), c.get(Counter.RAM_REMAINING), c.get(Counter.RAM_TOTAL),
                    c.get(Counter.ZERO_PAGES), normal, normal * StreamConstants.TARGET_PAGE_SIZE, c.mbps(),
                    c.get(Counter.DIRTY_SYNC_COUNT), c.get(Counter.DIRTY_PAGES_RATE), c.pagesPerSecond(),
                    c.get(Counter.PRECOPY_BYTES), c.get(Counter.DOWNTIME_BYTES), c.get(Counter.POSTCOPY_BYTES),
                    c.get(Counter.POSTCOPY_REQUESTS), c.get(Counter.SKIPPED_PAGES), StreamConstants.TARGET_PAGE_SIZE,
                    dirtyTracking);
        }
    }

    public boolean completed() {
        return status == MigrationStatus.COMPLETED;
    }
}

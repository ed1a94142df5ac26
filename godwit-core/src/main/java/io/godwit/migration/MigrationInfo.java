package io.godwit.migration;

import io.godwit.stats.Counter;
import io.godwit.stats.MigrationCounters;
import io.godwit.stream.StreamConstants;
import io.godwit.device.DeviceHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        Postcopy postcopy) {

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
    public record Postcopy(long timeMs, long requests, long bytes, long blocktimeMs, Latency faultLatency) {}

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

    /** The query-migrate reply, with QEMU's keys, and only the keys QEMU shows in this status. */
    public Map<String, Object> toQmp() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status.qmpName);
        if (status == MigrationStatus.NONE) {
            return m;
        }
        if (totalTimeMs >= 0) {
            m.put("total-time", totalTimeMs);
        }
        if (setupTimeMs >= 0) {
            m.put("setup-time", setupTimeMs);
        }
        boolean switched = status == MigrationStatus.COMPLETED || status == MigrationStatus.POSTCOPY_ACTIVE;
        if (switched && downtimeMs >= 0) { // in post-copy the downtime is over, as QEMU shows it
            m.put("downtime", downtimeMs);
        } else if (status.isActive() && expectedDowntimeMs >= 0) {
            m.put("expected-downtime", expectedDowntimeMs);
        }
        if (ram != null) {
            m.put("ram", ramMap());
        }
        if (disk != null) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("transferred", disk.transferred());
            dm.put("remaining", disk.remaining());
            dm.put("total", disk.total());
            dm.put("zero-blocks", disk.zeroBlocks());
            dm.put("zero-bytes-saved", disk.zeroBlocks() * (1L << 20));
            m.put("disk", dm);
        }
        if (devices != null && !devices.isEmpty()) {
            long total = 0;
            List<Map<String, Object>> list = new ArrayList<>();
            for (Device d : devices) {
                total += d.transferred();
                Map<String, Object> dm = new LinkedHashMap<>();
                dm.put("id", d.id());
                dm.put("state", d.state());
                dm.put("policy", d.policy());
                dm.put("transferred", d.transferred());
                dm.put("initial-bytes", d.initialBytes());
                dm.put("dirty-bytes", d.dirtyBytes());
                dm.put("load-time-ms", d.loadNanos() / 1_000_000);
                list.add(dm);
            }
            m.put("vfio", Map.of("transferred", total));
            m.put("devices", list);
        }
        if (postcopy != null) {
            putPostcopy(m);
        }
        if (errorDesc != null) {
            m.put("error-desc", errorDesc);
        }
        return m;
    }

    private void putPostcopy(Map<String, Object> m) {
        if (postcopy.timeMs() >= 0) {
            m.put("postcopy-time", postcopy.timeMs());
        }
        Latency l = postcopy.faultLatency();
        if (l != null) { // the destination
            m.put("postcopy-requests", postcopy.requests());
            m.put("postcopy-bytes", postcopy.bytes());
            m.put("postcopy-latency", l.meanNs());
            Map<String, Object> lm = new LinkedHashMap<>();
            lm.put("count", l.count());
            lm.put("p50", l.p50Us());
            lm.put("p99", l.p99Us());
            lm.put("max", l.maxUs());
            m.put("postcopy-fault-latency-us", lm);
        }
        if (postcopy.blocktimeMs() >= 0) {
            m.put("postcopy-blocktime", postcopy.blocktimeMs());
        }
    }

    private Map<String, Object> ramMap() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("transferred", ram.transferred);
        r.put("remaining", ram.remaining);
        r.put("total", ram.total);
        r.put("duplicate", ram.duplicate);
        r.put("skipped", ram.skipped);
        r.put("normal", ram.normal);
        r.put("normal-bytes", ram.normalBytes);
        r.put("dirty-pages-rate", ram.dirtyPagesRate);
        r.put("mbps", ram.mbps);
        r.put("dirty-sync-count", ram.dirtySyncCount);
        r.put("postcopy-requests", ram.postcopyRequests);
        r.put("page-size", ram.pageSize);
        r.put("pages-per-second", (long) ram.pagesPerSecond);
        r.put("precopy-bytes", ram.precopyBytes);
        r.put("downtime-bytes", ram.downtimeBytes);
        r.put("postcopy-bytes", ram.postcopyBytes);
        if (ram.dirtyTracking != null) {
            r.put("dirty-tracking", ram.dirtyTracking); // a Godwit extension; QEMU has no such key
        }
        return r;
    }
}

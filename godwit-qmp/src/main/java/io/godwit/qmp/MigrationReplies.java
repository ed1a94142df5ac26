package io.godwit.qmp;

import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The query-migrate reply (and the figures the demos print) from a {@link MigrationInfo}. */
public final class MigrationReplies {
    private MigrationReplies() {}

    /** Godwit's key for the switch's estimated fixed costs (source only). */
    public static final String SWITCHOVER_COST = "x-switchover-fixed-cost";

    /**
     * The switch's fixed costs as the source estimates them, in ms: {@code total} (what the
     * threshold leaves out of downtime-limit) = {@code stop} + {@code link} + {@code flush} + {@code rest}.
     */
    public static Map<String, Object> switchCost(io.godwit.migration.SwitchCost c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", ms(c.totalNanos()));
        m.put("stop", ms(c.stopNanos()));
        m.put("link", ms(c.linkNanos()));
        m.put("flush", ms(c.flushNanos()));
        m.put("rest", ms(c.restNanos()));
        return m;
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }

    /** QEMU's keys, and only the keys QEMU shows in the snapshot's status. */
    public static Map<String, Object> of(MigrationInfo info) {
        MigrationStatus status = info.status();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status.qmpName);
        if (status == MigrationStatus.NONE || status == MigrationStatus.SETUP) {
            return m; // QEMU shows no figures before the first pass starts
        }
        if (info.totalTimeMs() >= 0) {
            m.put("total-time", info.totalTimeMs());
        }
        if (info.setupTimeMs() >= 0) {
            m.put("setup-time", info.setupTimeMs());
        }
        boolean switched = status == MigrationStatus.COMPLETED || status == MigrationStatus.POSTCOPY_ACTIVE;
        if (switched && info.downtimeMs() >= 0) { // in post-copy the downtime is over, as QEMU shows it
            m.put("downtime", info.downtimeMs());
        } else if (status.isActive() && info.expectedDowntimeMs() >= 0) {
            m.put("expected-downtime", info.expectedDowntimeMs());
        }
        if (info.ram() != null) {
            m.put("ram", ram(info.ram()));
        }
        if (info.xbzrleCache() != null) {
            m.put("xbzrle-cache", xbzrleCache(info.xbzrleCache()));
        }
        if (info.disk() != null) {
            m.put("disk", disk(info.disk()));
        }
        if (info.devices() != null && !info.devices().isEmpty()) {
            long total = 0;
            List<Map<String, Object>> list = new ArrayList<>();
            for (MigrationInfo.Device d : info.devices()) {
                total += d.transferred();
                list.add(device(d));
            }
            m.put("vfio", Map.of("transferred", total));
            m.put("devices", list);
        }
        if (info.postcopy() != null) {
            putPostcopy(m, info.postcopy());
        }
        if (info.throttle() != null) {
            putThrottle(m, info.throttle());
        }
        if (info.errorDesc() != null) {
            m.put("error-desc", info.errorDesc());
        }
        return m;
    }

    /** Post-copy time on either side; requests, bytes, the waits' latency and blocktime on the destination. */
    private static void putPostcopy(Map<String, Object> m, MigrationInfo.Postcopy postcopy) {
        if (postcopy.timeMs() >= 0) {
            m.put("postcopy-time", postcopy.timeMs());
        }
        MigrationInfo.Latency l = postcopy.faultLatency();
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
            if (postcopy.preemptPages() >= 0) { // Godwit's: pages that came on the preempt channel
                m.put("postcopy-preempt-pages", postcopy.preemptPages());
            }
        }
        if (postcopy.blocktimeMs() >= 0) {
            m.put("postcopy-blocktime", postcopy.blocktimeMs());
        }
    }

    /**
     * QEMU's keys only while a throttle is in force (cpu-throttle-percentage, and
     * dirty-limit-throttle-time-per-round and dirty-limit-ring-full-time in µs), and Godwit's
     * cpu-throttle-peak: the highest CPU throttle this migration set, kept after it ends.
     */
    private static void putThrottle(Map<String, Object> m, MigrationInfo.Throttle t) {
        if (t.cpuThrottlePercentage() > 0) {
            m.put("cpu-throttle-percentage", t.cpuThrottlePercentage());
        }
        if (t.cpuThrottlePeak() > 0) {
            m.put("cpu-throttle-peak", t.cpuThrottlePeak());
        }
        if (t.throttleTimePerRoundUs() >= 0) {
            m.put("dirty-limit-throttle-time-per-round", t.throttleTimePerRoundUs());
            m.put("dirty-limit-ring-full-time", t.ringFullTimeUs());
        }
    }

    /** QEMU's XBZRLECacheStats, in its order. */
    private static Map<String, Object> xbzrleCache(MigrationInfo.XbzrleCache x) {
        Map<String, Object> xm = new LinkedHashMap<>();
        xm.put("cache-size", x.cacheSize());
        xm.put("bytes", x.bytes());
        xm.put("pages", x.pages());
        xm.put("cache-miss", x.cacheMiss());
        xm.put("cache-miss-rate", x.cacheMissRate());
        xm.put("encoding-rate", x.encodingRate());
        xm.put("overflow", x.overflow());
        return xm;
    }

    private static Map<String, Object> disk(MigrationInfo.Disk disk) {
        Map<String, Object> dm = new LinkedHashMap<>();
        dm.put("transferred", disk.transferred());
        dm.put("remaining", disk.remaining());
        dm.put("total", disk.total());
        dm.put("zero-blocks", disk.zeroBlocks());
        dm.put("zero-bytes-saved", disk.zeroBlocks() * (1L << 20));
        return dm;
    }

    private static Map<String, Object> device(MigrationInfo.Device d) {
        Map<String, Object> dm = new LinkedHashMap<>();
        dm.put("id", d.id());
        dm.put("state", d.state());
        dm.put("policy", d.policy());
        dm.put("transferred", d.transferred());
        dm.put("initial-bytes", d.initialBytes());
        dm.put("dirty-bytes", d.dirtyBytes());
        dm.put("load-time-ms", d.loadNanos() / 1_000_000);
        return dm;
    }

    private static Map<String, Object> ram(MigrationInfo.Ram ram) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("transferred", ram.transferred());
        r.put("remaining", ram.remaining());
        r.put("total", ram.total());
        r.put("duplicate", ram.duplicate());
        r.put("skipped", ram.skipped());
        r.put("normal", ram.normal());
        r.put("normal-bytes", ram.normalBytes());
        r.put("dirty-pages-rate", ram.dirtyPagesRate());
        r.put("mbps", ram.mbps());
        r.put("dirty-sync-count", ram.dirtySyncCount());
        r.put("postcopy-requests", ram.postcopyRequests());
        r.put("page-size", ram.pageSize());
        r.put("pages-per-second", (long) ram.pagesPerSecond());
        r.put("precopy-bytes", ram.precopyBytes());
        r.put("downtime-bytes", ram.downtimeBytes());
        r.put("postcopy-bytes", ram.postcopyBytes());
        if (ram.dirtyTracking() != null) {
            r.put("dirty-tracking", ram.dirtyTracking()); // a Godwit extension; QEMU has no such key
        }
        return r;
    }
}

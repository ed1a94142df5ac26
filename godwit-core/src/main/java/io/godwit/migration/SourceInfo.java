package io.godwit.migration;

import static io.godwit.migration.MigrationStatus.*;

import io.godwit.machine.Machine;
import io.godwit.options.Capability;
import io.godwit.ram.XbzrleSender;

/**
 * The source's query-migrate snapshot ({@link MigrationInfo}), assembled from the migration's
 * times, counters and components on whichever thread asks.
 */
final class SourceInfo {
    private SourceInfo() {}

    static MigrationInfo of(Migration m) {
        MigrationStatus s = m.status();
        long start = m.times.startNanos();
        long end = m.times.endNanos();
        long total = start < 0 ? -1 : ((end >= 0 ? end : m.clock().nanoTime()) - start) / 1_000_000;
        long switched = m.times.switchNanos();
        MigrationInfo.Postcopy pc = switched < 0 ? null : new MigrationInfo.Postcopy(
                ((end >= 0 ? end : m.clock().nanoTime()) - switched) / 1_000_000, -1, -1, -1, null);
        Machine machine = m.machine();
        return new MigrationInfo(s, s == FAILED || s == CANCELLED ? m.error : null, total, m.times.setupTimeMs(),
                m.times.downtimeMs(), m.bandwidth.expectedDowntimeMs(), m.bandwidth.thresholdSize(),
                MigrationInfo.Ram.of(m.counters(), dirtyTracking(machine)),
                MigrationInfo.Device.of(machine.devices()), MigrationInfo.Disk.of(m.counters()), pc,
                m.throttleControl().info(), xbzrleCache(m));
    }

    /** The xbzrle-cache figures with the capability on, else null. */
    private static MigrationInfo.XbzrleCache xbzrleCache(Migration m) {
        if (!m.capabilities().has(Capability.XBZRLE)) {
            return null;
        }
        XbzrleSender x = m.xbzrle;
        return x == null ? MigrationInfo.XbzrleCache.of(m.counters(), m.xbzrleParameters().cacheSize(), 0, 0)
                : MigrationInfo.XbzrleCache.of(m.counters(), x.cacheSize(), x.cacheMissRate(), x.encodingRate());
    }

    /** The RAM blocks' dirty tracking backends, in block order without repeats; null without RAM. */
    static String dirtyTracking(Machine machine) {
        String names = machine.ram().stream().map(b -> b.tracker().name()).distinct()
                .collect(java.util.stream.Collectors.joining(","));
        return names.isEmpty() ? null : names;
    }
}

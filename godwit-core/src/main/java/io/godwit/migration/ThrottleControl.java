package io.godwit.migration;

import io.godwit.machine.Machine;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.ThrottleParameters;
import io.godwit.stream.StreamConstants;
import io.godwit.trace.ThrottleEvent;
import io.godwit.trace.Trace;
import io.godwit.vcpu.VcpuThrottle;

/**
 * Auto-converge and dirty-limit for one outgoing migration (QEMU ram.c,
 * migration_trigger_throttle). At each sync that ends a period of more than a second, the bytes
 * dirtied in the period are compared with throttle-trigger-threshold percent of the bytes sent in
 * it; the second time they exceed it (the count is not reset by a period below), the writers are
 * slowed: auto-converge sets or raises the CPU throttle, dirty-limit caps every writer thread at
 * vcpu-dirty-limit. {@link #release} puts the writers back to full speed when the migration ends.
 * Used by the migration thread only, except the figures, which any thread reads.
 */
final class ThrottleControl {
    /** QEMU: the trigger is looked at when a sync comes more than 1000 ms after the period began. */
    static final long PERIOD_NANOS = 1_000_000_000L;

    private final Machine machine;
    private final boolean autoConverge;
    private final boolean dirtyLimit;
    private volatile ThrottleParameters params;

    private long periodStart = -1;
    private long bytesXferPrev;
    private long dirtyPagesPrev;
    private int dirtyRateHighCount;
    private long limitInForce; // MiB/s set by this migration, 0 for none
    private volatile int peak;
    private volatile boolean released;

    ThrottleControl(Machine machine, Capabilities caps, ThrottleParameters params) {
        this.machine = machine;
        this.autoConverge = caps.has(Capability.AUTO_CONVERGE);
        this.dirtyLimit = caps.has(Capability.DIRTY_LIMIT);
        this.params = params;
    }

    /** New parameters from now on (migrate-set-parameters during the migration, as QEMU allows). */
    void setParameters(ThrottleParameters p) {
        params = p;
    }

    ThrottleParameters parameters() {
        return params;
    }

    /** The first period begins once setup's sync is done. */
    void start(long now, long sent, long dirtyPagesSynced) {
        periodStart = now;
        bytesXferPrev = sent;
        dirtyPagesPrev = dirtyPagesSynced;
    }

    /** After a sync in pre-copy: QEMU's period rule and trigger. */
    void onSync(long now, long sent, long dirtyPagesSynced) {
        if (periodStart < 0 || now - periodStart <= PERIOD_NANOS) {
            return;
        }
        ThrottleParameters p = params;
        long bytesXferPeriod = sent - bytesXferPrev;
        long bytesDirtyPeriod = (dirtyPagesSynced - dirtyPagesPrev) * StreamConstants.TARGET_PAGE_SIZE;
        long bytesDirtyThreshold = bytesXferPeriod * p.throttleTriggerThreshold() / 100;
        if (bytesDirtyPeriod > bytesDirtyThreshold && ++dirtyRateHighCount >= 2) {
            dirtyRateHighCount = 0;
            if (autoConverge) {
                raise(p, bytesDirtyPeriod, bytesDirtyThreshold);
            } else if (dirtyLimit) {
                limit(p);
            }
        }
        periodStart = now;
        bytesXferPrev = sent;
        dirtyPagesPrev = dirtyPagesSynced;
    }

    private void raise(ThrottleParameters p, long bytesDirtyPeriod, long bytesDirtyThreshold) {
        int pct = p.nextThrottle(machine.throttle().cpuThrottle(), bytesDirtyPeriod, bytesDirtyThreshold);
        machine.setCpuThrottle(pct);
        peak = Math.max(peak, pct);
        trace(pct, 0, bytesDirtyPeriod, bytesDirtyThreshold);
    }

    /** QEMU sets the limit once, and again only when vcpu-dirty-limit changed since. */
    private void limit(ThrottleParameters p) {
        VcpuThrottle t = machine.throttle();
        if (limitInForce == p.vcpuDirtyLimit() && t.dirtyLimit() != 0) {
            return;
        }
        t.setDirtyLimit(p.vcpuDirtyLimit(), p.vcpuDirtyLimitPeriodMs());
        limitInForce = p.vcpuDirtyLimit();
        trace(0, limitInForce, 0, 0);
    }

    private static void trace(int pct, long limit, long dirty, long threshold) {
        if (Trace.active()) {
            ThrottleEvent e = new ThrottleEvent();
            e.cpuThrottlePercentage = pct;
            e.dirtyLimitMb = limit;
            e.bytesDirtyPeriod = dirty;
            e.bytesDirtyThreshold = threshold;
            e.commit();
        }
    }

    /** The migration ended (completed, failed, cancelled): the writers go back to full speed. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        if (autoConverge) {
            machine.setCpuThrottle(0);
        }
        if (limitInForce != 0) {
            machine.throttle().cancelDirtyLimit();
            limitInForce = 0;
        }
    }

    /** The figures for query-migrate; null when neither capability is on. */
    MigrationInfo.Throttle info() {
        if (!autoConverge && !dirtyLimit) {
            return null;
        }
        VcpuThrottle t = machine.throttle();
        int pct = autoConverge ? t.cpuThrottle() : 0;
        boolean limited = dirtyLimit && t.dirtyLimit() != 0;
        return new MigrationInfo.Throttle(pct, peak, limited ? t.throttleTimePerRoundMicros() : -1,
                limited ? t.ringFullTimeMicros() : -1);
    }
}

package io.godwit.migration;

import io.godwit.options.Capability;
import io.godwit.savevm.Pending;
import io.godwit.savevm.StateSaver;
import io.godwit.stats.Counter;
import java.io.IOException;

/**
 * The pre-copy loop on the migration thread (QEMU migration_iteration_run): estimate what is
 * pending, ask for the exact figure when the estimate is under the threshold, and decide whether
 * to switch to post-copy, to complete, or to iterate once more within the rate limit.
 */
final class PrecopyLoop {
    private final Migration m;
    private final StateSaver saver;
    private boolean switchToPostcopy;

    PrecopyLoop(Migration m, StateSaver saver) {
        this.m = m;
        this.saver = saver;
    }

    /** True when the loop ended because post-copy was requested and may start. */
    boolean switchToPostcopy() {
        return switchToPostcopy;
    }

    /** The pre-copy loop; returns the pending figures at the moment completion became ready. */
    Pending run() throws IOException {
        Pending pending = new Pending();
        while (true) {
            m.checkInterrupts();
            if (!m.rateExceeded() && iterationRun(pending)) {
                return pending;
            }
            m.accounting.maybePing(saver, m.out());
            long now = m.clock().nanoTime();
            m.updateWindow(now);
            if (m.rateExceeded()) {
                m.clock().park(m.windowEnd() - now);
            }
        }
    }

    /**
     * One step of QEMU's migration_iteration_run; true when it is time to complete. Pending is
     * compared with the threshold after adding the bytes the link would carry while the
     * destination loads what handlers say it must load (0 unless a device is cost-aware).
     */
    private boolean iterationRun(Pending pending) throws IOException {
        long threshold = m.bandwidth.window().thresholdSize();
        saver.pendingEstimate(threshold, pending);
        SourceTrace.pending(false, pending, threshold);
        if (effective(pending, threshold) < threshold) {
            saver.pendingExact(threshold, pending);
            SourceTrace.pending(true, pending, threshold);
            m.throttleControl().onSync(m.clock().nanoTime(), m.channels.sent(),
                    m.counters().get(Counter.DIRTY_PAGES_SYNCED));
            m.checkPass();
        }
        m.bandwidth.loadNanos(pending.loadNanos());
        boolean canSwitchover = canSwitchover();
        if (m.postcopyRequested() && pending.mustPrecopy() <= threshold && canSwitchover) {
            switchToPostcopy = true; // what must go first fits: the rest can follow the switch
            return true;
        }
        if (effective(pending, threshold) <= threshold && canSwitchover) {
            return true;
        }
        saver.iterate(false, canSwitchover);
        m.counters().set(Counter.TRANSFERRED, m.channels.sent());
        return false;
    }

    /** Pending bytes plus what the link carries in the time the destination needs to load them. */
    private long effective(Pending p, long threshold) {
        if (p.loadNanos() == 0) {
            return p.total();
        }
        if (m.parameters().downtimeLimitMs() == 0) {
            return Long.MAX_VALUE;
        }
        BandwidthWindow window = m.bandwidth.window();
        double budgetMs = window.budgetMs() > 0 ? window.budgetMs() : m.parameters().downtimeLimitMs();
        return p.total() + (long) ((double) threshold * p.loadNanos() / (budgetMs * 1_000_000));
    }

    private boolean canSwitchover() {
        SourceReturnPath rp = m.returnPath();
        return !m.capabilities().has(Capability.SWITCHOVER_ACK) || (rp != null && rp.switchoverAcked());
    }
}

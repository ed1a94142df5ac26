package io.godwit.migration;

import static io.godwit.migration.MigrationStatus.*;

import io.godwit.machine.RunState;
import io.godwit.savevm.Pending;
import io.godwit.savevm.StateSaver;
import io.godwit.stats.Counter;
import io.godwit.stats.MigrationCounters;
import io.godwit.trace.SwitchoverEvent;
import io.godwit.trace.Trace;
import java.io.IOException;

/**
 * Stop-copy on the migration thread (QEMU migration_completion): stop the machine, send the rest,
 * hand over, and wait for the destination to run. Downtime runs from the stop to the
 * destination's SHUT(0), or without a return path to the end of the stream.
 */
final class StopCopy {
    private final Migration m;
    private final StateSaver saver;

    StopCopy(Migration m, StateSaver saver) {
        this.m = m;
        this.saver = saver;
    }

    /** Stop-copy: stop the machine, send the rest, hand over, and wait for the destination to run. */
    void run(Pending pending) throws IOException, InterruptedException {
        SwitchoverEvent event = Trace.active() ? new SwitchoverEvent() : null;
        if (event != null) {
            event.begin();
        }
        MigrationCounters counters = m.counters();
        SwitchAccounting accounting = m.accounting;
        accounting.switching(m.channels.multifd());
        long stopStart = m.clock().nanoTime();
        long precopyBytes = m.channels.sent();
        counters.set(Counter.PRECOPY_BYTES, precopyBytes);
        m.machine().stop(RunState.FINISH_MIGRATE);
        accounting.stopped(m.clock().nanoTime() - stopStart);
        m.setStatus(DEVICE);
        saver.completeSections();
        m.checkPass();
        if (!m.point.pass()) {
            throw new Migration.CancelledException();
        }
        saver.finish();
        long bytes = m.channels.sent();
        counters.set(Counter.TRANSFERRED, bytes);
        counters.set(Counter.DOWNTIME_BYTES, bytes - precopyBytes);
        long runningAt = awaitDestinationRunning();
        long downtimeMs = Math.max(0, (runningAt - stopStart) / 1_000_000);
        m.downtime(downtimeMs);
        long rest = accounting.switched(runningAt - stopStart, bytes - precopyBytes,
                m.bandwidth.window().expectedBytesPerMs());
        m.machine().stop(RunState.POSTMIGRATE);
        m.setStatus(COMPLETED);
        if (event != null) {
            event.end();
            event.downtimeMs = downtimeMs;
            event.pending = pending.total();
            event.downtimeBytes = bytes - precopyBytes;
            commit(event, rest);
        }
    }

    /** When the destination runs: its SHUT(0) with a return path, else the end of the stream. */
    private long awaitDestinationRunning() throws IOException, InterruptedException {
        SourceReturnPath returnPath = m.returnPath();
        if (returnPath != null) {
            int shut = returnPath.awaitShut(m.point::cancelAbandoned, m.parameters().returnPathTimeoutMs());
            if (shut != 0) {
                m.point.destinationFailed();
                throw new IOException("the destination failed to load the state (SHUT status " + shut + ")");
            }
            return returnPath.shutNanos();
        }
        m.out().close(); // the end of the stream is all the peer will get
        m.channels.conn().finish();
        return m.clock().nanoTime();
    }

    /** The switch's fixed costs as estimated at the decision, beside what its stop and rest cost. */
    private void commit(SwitchoverEvent event, long rest) {
        SwitchAccounting accounting = m.accounting;
        event.thresholdSize = m.bandwidth.window().thresholdSize();
        SwitchCost fixed = accounting.atSwitch();
        event.fixedCostEstimateMs = SwitchCost.ms(fixed.totalNanos());
        event.stopEstimateMs = SwitchCost.ms(fixed.stopNanos());
        event.linkEstimateMs = SwitchCost.ms(fixed.linkNanos());
        event.flushEstimateMs = SwitchCost.ms(fixed.flushNanos());
        event.restEstimateMs = SwitchCost.ms(fixed.restNanos());
        event.stopMs = SwitchCost.ms(accounting.stoppedNanos());
        event.restMs = SwitchCost.ms(rest);
        event.commit();
    }
}

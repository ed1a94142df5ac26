package io.godwit.migration;

import io.godwit.options.Capabilities;
import io.godwit.options.Parameters;
import io.godwit.savevm.Pending;
import io.godwit.stats.Counter;
import io.godwit.stats.MigrationCounters;
import io.godwit.stream.StreamOutput;
import io.godwit.trace.PassEvent;
import io.godwit.trace.PendingEvent;
import io.godwit.trace.SettingsEvent;
import io.godwit.trace.Trace;

/** The source's JFR events (QEMU's migration trace points): settings, pending figures, passes. */
final class SourceTrace {
    private SourceTrace() {}

    static void settings(Parameters p, Capabilities caps) {
        if (Trace.active()) {
            SettingsEvent e = new SettingsEvent();
            e.parameters = p.byName().entrySet().stream().map(x -> x.getKey() + "=" + x.getValue())
                    .collect(java.util.stream.Collectors.joining(" "));
            e.capabilities = caps.enabled().stream().map(c -> c.qmpName)
                    .collect(java.util.stream.Collectors.joining(" "));
            e.commit();
        }
    }

    static void pending(boolean exact, Pending p, long threshold) {
        if (Trace.active()) {
            PendingEvent e = new PendingEvent();
            e.exact = exact;
            e.size = p.total();
            e.mustPrecopy = p.mustPrecopy();
            e.canPostcopy = p.canPostcopy();
            e.thresholdSize = threshold;
            e.commit();
        }
    }

    /** A dirty sync completed pass {@code count}. */
    static void pass(long count, MigrationCounters counters, StreamOutput out) {
        if (Trace.active()) {
            PassEvent e = new PassEvent();
            e.dirtySyncCount = count;
            e.remaining = counters.get(Counter.RAM_REMAINING);
            e.transferred = out.bytesWritten();
            e.dirtyPagesRate = counters.get(Counter.DIRTY_PAGES_RATE);
            e.commit();
        }
    }
}

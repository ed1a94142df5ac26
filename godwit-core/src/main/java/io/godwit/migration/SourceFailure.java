package io.godwit.migration;

import static io.godwit.migration.MigrationStatus.*;

import io.godwit.machine.Machine;
import io.godwit.machine.RunState;
import io.godwit.multifd.MultifdSender;
import java.io.IOException;

/**
 * How a failed or cancelled outgoing migration ends: which error it reports, and whether the
 * source runs again. Before the point of no return nothing was handed over and the source goes
 * back to how it was; after it the destination may run, so the source stays paused.
 */
final class SourceFailure {
    private SourceFailure() {}

    /**
     * Settles a migration that threw {@code t}: the error, the machine's state, and the final status.
     *
     * @param before the run state when the migration started
     * @param stopped whether the migration got as far as stopping the machine
     */
    static void settle(Migration m, Throwable t, RunState before, boolean stopped) {
        m.throttleControl().release(); // before the source runs again: its writers at full speed
        boolean cancelled = t instanceof Migration.CancelledException || m.point.cancelled();
        m.channels.dropConnection();
        t = channelFailure(m, t, cancelled);
        boolean handedOver = m.point.handedOver();
        if (cancelled && !handedOver) {
            m.error = "cancelled by the user";
            if (m.status() != CANCELLING) {
                m.setStatus(CANCELLING);
            }
        } else {
            m.error = describe(t);
            if (handedOver && m.point.inPostcopy()) {
                m.error += "; the destination runs in post-copy: the source stays paused";
            } else if (handedOver) {
                m.error += "; the stream was complete, so the destination may be running: the source stays paused"
                        + " (cont resumes it)";
            }
        }
        Machine machine = m.machine();
        if (stopped && !handedOver) {
            if (before == RunState.RUNNING) {
                machine.start(); // nothing was handed over: the source carries on
            } else if (machine.state() == RunState.FINISH_MIGRATE) {
                machine.stop(before); // a source that was not running goes back to how it was
            }
        } else if (handedOver && machine.state() == RunState.FINISH_MIGRATE) {
            machine.stop(RunState.POSTMIGRATE); // not resumed (split brain), but cont can if the user knows better
        }
        m.setStatus(cancelled && !handedOver ? CANCELLED : FAILED);
    }

    /** Shuts the multifd channels down; returns the failure to report, a channel's when it was the cause. */
    private static Throwable channelFailure(Migration m, Throwable t, boolean cancelled) {
        MultifdSender multifd = m.channels.multifd();
        if (multifd != null) {
            IOException channel = multifd.failure();
            SourceReturnPath returnPath = m.returnPath();
            boolean destinationSaidWhy = returnPath != null && returnPath.shutSeenStatus() >= 0;
            if (channel != null && !cancelled && !destinationSaidWhy) {
                t = channel; // the cause; the main stream may have failed after it, as the destination gave up
            }
            multifd.shutdown(); // the channels end with the main stream
        }
        return t;
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return m != null ? m : t.getClass().getSimpleName();
    }
}

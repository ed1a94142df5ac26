package io.godwit.migration;

import io.godwit.machine.Machine;
import io.godwit.multifd.MultifdSender;
import io.godwit.savevm.StateSaver;
import io.godwit.stream.Command;
import io.godwit.stream.StreamOutput;
import java.io.IOException;

/**
 * Keeps a migration's estimate of the switch's fixed costs ({@link SwitchCost}) and, after the
 * switch, what it really cost, for the node's {@link SwitchHistory}. Owned by the migration
 * thread; {@link #current} may be read from any thread.
 */
final class SwitchAccounting {
    private final Machine machine;
    private final SwitchHistory history;
    private LinkProbe probe; // with a return path only
    private volatile SwitchCost current = SwitchCost.NONE;
    private SwitchCost atSwitch = SwitchCost.NONE;
    private long stoppedNanos = -1;

    SwitchAccounting(Machine machine, SwitchHistory history) {
        this.machine = machine;
        this.history = history;
    }

    /** Pings the destination through {@code probe} (needs a return path that reports PONGs to it). */
    void probeWith(LinkProbe p) {
        this.probe = p;
    }

    /** Sends the next PING of the probe if one is due; between iterations, at a record boundary. */
    void maybePing(StateSaver saver, StreamOutput out) throws IOException {
        if (probe == null) {
            return;
        }
        int id = probe.due();
        if (id >= 0) {
            saver.writer().command(Command.ping(id));
            out.flush();
            probe.sent(id);
        }
    }

    /** The estimate now, as the threshold and expected-downtime should count it. */
    SwitchCost estimate(MultifdSender multifd) {
        SwitchCost c = new SwitchCost(Math.max(0, machine.pauseEstimateNanos()), probe != null ? probe.rttNanos() : 0,
                multifd != null ? multifd.lastSyncNanos() : 0, history.restNanos());
        current = c;
        return c;
    }

    SwitchCost current() {
        return current;
    }

    /** The switch began: the estimate it was decided on is kept to compare with what happened. */
    void switching(MultifdSender multifd) {
        atSwitch = estimate(multifd);
    }

    /** Stopping the machine took {@code nanos}. */
    void stopped(long nanos) {
        stoppedNanos = nanos;
    }

    SwitchCost atSwitch() {
        return atSwitch;
    }

    long stoppedNanos() {
        return stoppedNanos;
    }

    /**
     * The switch is over: {@code downtimeNanos} in all, {@code bytes} sent while stopped at an
     * expected {@code bytesPerMs} (with multifd, the channels' queues drained at the switch among them).
     * What neither the stop nor the link nor the bytes explain is the
     * rest the next switch on this node counts.
     *
     * @return that rest, in nanoseconds (may be negative: the switch went faster than expected)
     */
    long switched(long downtimeNanos, long bytes, double bytesPerMs) {
        if (bytesPerMs <= 0 || stoppedNanos < 0) {
            return 0;
        }
        long dataNanos = (long) (bytes / bytesPerMs * 1e6);
        long rest = downtimeNanos - stoppedNanos - dataNanos - atSwitch.linkNanos(); // flush: among the bytes
        history.record(rest);
        return rest;
    }
}

package io.godwit.migration;

import io.godwit.clock.VirtualClock;
import io.godwit.machine.Machine;
import io.godwit.options.Capabilities;
import io.godwit.options.Parameters;
import io.godwit.savevm.HandlerRegistry;
import io.godwit.stream.ByteSource;
import java.util.ArrayList;
import java.util.List;

/**
 * A source machine with no RAM (its RAM handler is inactive), test handlers, a simulated link and
 * a virtual clock: what a test of the migration loop needs. Run the migration with
 * {@code rig.migration(...).run()} on the test thread.
 */
public final class LoopRig implements AutoCloseable {
    public final VirtualClock clock = new VirtualClock();
    public final SimulatedLink link;
    public final Machine machine = new Machine("source", clock);
    public final StatusRecorder recorder = new StatusRecorder(clock);
    /** Setup, iterate, complete and cleanup calls of every handler, in order. */
    public final List<String> journal = new ArrayList<>();
    private Migration migration;

    public LoopRig(long linkBytesPerSecond) {
        link = new SimulatedLink(clock, linkBytesPerSecond);
    }

    public LoopRig(long linkBytesPerSecond, ByteSource returnPath) {
        link = new SimulatedLink(clock, linkBytesPerSecond, returnPath);
    }

    /** Registers a live scripted handler under idstr {@code name}. */
    public ScriptedHandler handler(String name) {
        ScriptedHandler h = new ScriptedHandler(name, journal);
        machine.registry().register(name, 0, 1, HandlerRegistry.PRIORITY_DEFAULT, h);
        return h;
    }

    /** Registers a non-live handler that saves {@code bytes} of state in a FULL section. */
    public FullStateHandler fullState(String name, int bytes) {
        FullStateHandler h = new FullStateHandler(name, bytes, machine, journal);
        machine.registry().register(name, 0, 1, HandlerRegistry.PRIORITY_DEFAULT, h);
        return h;
    }

    public Migration migration(Parameters params) {
        return migration(params, Capabilities.defaults());
    }

    public Migration migration(Parameters params, Capabilities caps) {
        if (migration != null) {
            throw new IllegalStateException("one migration per rig");
        }
        migration = new Migration(machine, link, params, caps, clock, recorder);
        return migration;
    }

    /** The migration created by {@link #migration(Parameters, Capabilities)}, for hooks. */
    public Migration migration() {
        if (migration == null) {
            throw new IllegalStateException("no migration yet");
        }
        return migration;
    }

    /** When the pre-copy loop began: the clock at the switch to ACTIVE (the first window opens). */
    public long activeAt() {
        return recorder.enteredAt(MigrationStatus.ACTIVE);
    }

    public static Parameters params(long downtimeLimitMs, long maxBandwidth, long availSwitchoverBandwidth) {
        return new Parameters(downtimeLimitMs, maxBandwidth, availSwitchoverBandwidth);
    }

    @Override
    public void close() {
        machine.close();
    }
}

package io.godwit.vcpu;

import io.godwit.clock.Clock;

/** Test access to {@link WorkloadPacer}, whose constructor its package keeps to itself. */
public final class Pacers {
    private Pacers() {}

    /** A pacer on {@code clock}, as a running machine's workload thread would have. */
    public static WorkloadPacer of(Clock clock) {
        RunGate gate = new RunGate();
        gate.open();
        return new WorkloadPacer(clock, gate);
    }
}

package io.godwit.vcpu;

import io.godwit.ram.RamBlock;
import java.util.List;

/**
 * Something that runs inside a machine and changes its state, on a thread of its own (a vCPU).
 * The machine calls {@link #step} in a loop while it runs; each step should return within about a
 * millisecond so that the machine can stop promptly.
 */
public interface Workload {
    /** A short description, such as "ab" or "random:64M". */
    String name();

    /**
     * Hears the machine's RAM blocks before the workload's thread starts; workloads that write
     * guest memory pick their pages from them, others ignore it.
     */
    default void attach(List<RamBlock> ram) {}

    /** Does a little work and returns. */
    void step(WorkloadPacer pacer);
}

package io.godwit.machine;

/**
 * Something that runs inside a machine and changes its state, on a thread of its own (a vCPU).
 * The machine calls {@link #step} in a loop while it runs; each step should return within about a
 * millisecond so that the machine can stop promptly.
 */
public interface Workload {
    /** A short description, such as "ab" or "random:64M". */
    String name();

    /** Binds the workload to the machine before its thread starts. */
    void attach(Machine machine);

    /** Does a little work and returns. */
    void step(WorkloadPacer pacer);
}

package io.godwit.migration;

/**
 * What the last switch on this node cost beyond what its own figures explain: kept by whoever
 * outlives one migration (the monitor of a machine) and handed to the next one, so that its
 * threshold counts that cost from the start. Thread-safe.
 */
public final class SwitchHistory {
    private long restNanos; // guarded by this
    private int switches;   // guarded by this

    /** Records a switch whose unexplained cost was {@code restNanos} (negative counts as 0). */
    public synchronized void record(long restNanos) {
        this.restNanos = Math.max(0, restNanos);
        switches++;
    }

    public synchronized long restNanos() {
        return restNanos;
    }

    public synchronized int switches() {
        return switches;
    }
}

package io.godwit.migration;

/**
 * What the last switches on this node cost beyond what their own figures explain: kept by whoever
 * outlives one migration (the monitor of a machine) and handed to the next one, so that its
 * threshold counts that cost from the start. Thread-safe.
 */
public final class SwitchHistory {
    private long restNanos; // guarded by this
    private int switches;   // guarded by this

    /**
     * Records a switch whose unexplained cost was {@code restNanos} (negative counts as 0). A
     * switch that went faster than expected only halves what an earlier one cost, so that on a
     * noisy machine one lucky switch does not make the next one overshoot again.
     */
    public synchronized void record(long restNanos) {
        this.restNanos = Math.max(Math.max(0, restNanos), this.restNanos / 2);
        switches++;
    }

    public synchronized long restNanos() {
        return restNanos;
    }

    public synchronized int switches() {
        return switches;
    }
}

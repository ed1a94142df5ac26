package io.godwit.migration;

/**
 * The times of one outgoing migration that query-migrate reports: when it started and ended, how
 * long setup took, the downtime, and when the source stopped for a switch to post-copy. Written
 * by the migration thread, read from any thread; -1 until known.
 */
final class SourceTimes {
    private volatile long startNanos = -1;
    private volatile long endNanos = -1;
    private volatile long setupTimeMs = -1;
    private volatile long downtimeMs = -1;
    private volatile long switchNanos = -1; // when the source stopped for the switch to post-copy

    void started(long nanos) {
        startNanos = nanos;
    }

    /** Setup ended at {@code nanos}. */
    void setupDone(long nanos) {
        setupTimeMs = (nanos - startNanos) / 1_000_000;
    }

    void ended(long nanos) {
        endNanos = nanos;
    }

    /** The source stopped for the switch to post-copy at {@code nanos}. */
    void switched(long nanos) {
        switchNanos = nanos;
    }

    void downtime(long ms) {
        downtimeMs = ms;
    }

    long startNanos() {
        return startNanos;
    }

    long endNanos() {
        return endNanos;
    }

    long setupTimeMs() {
        return setupTimeMs;
    }

    long downtimeMs() {
        return downtimeMs;
    }

    long switchNanos() {
        return switchNanos;
    }
}

package io.godwit.savevm;

/**
 * What is left to send, as handlers report it: bytes that must reach the destination before
 * switchover, and bytes that may follow it (post-copy). Godwit adds a third figure: how long the
 * destination will need to load what is left, for handlers that know (the cost-aware policy of
 * devices); the loop counts it into the downtime. Handlers add to it; the loop resets it.
 */
public final class Pending {
    private long mustPrecopy;
    private long canPostcopy;
    private long loadNanos;

    public void addMustPrecopy(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative pending bytes: " + bytes);
        }
        mustPrecopy += bytes;
    }

    public void addCanPostcopy(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative pending bytes: " + bytes);
        }
        canPostcopy += bytes;
    }

    /** Adds destination load time for what is pending, in nanoseconds. */
    public void addLoadNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("negative load time: " + nanos);
        }
        loadNanos += nanos;
    }

    public long loadNanos() {
        return loadNanos;
    }

    public long mustPrecopy() {
        return mustPrecopy;
    }

    public long canPostcopy() {
        return canPostcopy;
    }

    public long total() {
        return mustPrecopy + canPostcopy;
    }

    public void reset() {
        mustPrecopy = 0;
        canPostcopy = 0;
        loadNanos = 0;
    }

    @Override
    public String toString() {
        return "Pending[mustPrecopy=" + mustPrecopy + ", canPostcopy=" + canPostcopy + ", loadNanos=" + loadNanos + "]";
    }
}

package io.godwit.savevm;

/**
 * What is left to send, as handlers report it: bytes that must reach the destination before
 * switchover, and bytes that may follow it (post-copy). Handlers add to it; the loop resets it.
 */
public final class Pending {
    private long mustPrecopy;
    private long canPostcopy;

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
    }

    @Override
    public String toString() {
        return "Pending[mustPrecopy=" + mustPrecopy + ", canPostcopy=" + canPostcopy + "]";
    }
}

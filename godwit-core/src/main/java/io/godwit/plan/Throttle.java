package io.godwit.plan;

/**
 * A slowdown of the writers during pre-copy. {@link #autoConverge}: QEMU's auto-converge, which
 * throttles the vCPUs to {@code initial} percent once the bytes dirtied between two syncs exceed
 * {@code triggerPercent} of the bytes sent, twice in a row, and by {@code increment} more each
 * further time, up to {@code max}. {@link #dirtyLimit}: QEMU's dirty-limit, which holds the dirty
 * rate at {@code limitBytesPerSecond} from the start.
 */
public record Throttle(Kind kind, int initial, int increment, int max, int triggerPercent,
        double limitBytesPerSecond) {
    public enum Kind { NONE, AUTO_CONVERGE, DIRTY_LIMIT }

    public static final Throttle NONE = new Throttle(Kind.NONE, 0, 0, 0, 0, 0);

    /** QEMU's defaults: cpu-throttle-initial 20, cpu-throttle-increment 10, max-cpu-throttle 99, trigger 50. */
    public static Throttle autoConverge() {
        return new Throttle(Kind.AUTO_CONVERGE, 20, 10, 99, 50, 0);
    }

    public static Throttle dirtyLimit(double bytesPerSecond) {
        return new Throttle(Kind.DIRTY_LIMIT, 0, 0, 0, 0, bytesPerSecond);
    }
}

package io.godwit.plan;

/**
 * A slowdown of the writers during pre-copy, as Godwit's migration applies it (ThrottleControl,
 * with {@link io.godwit.options.ThrottleParameters}). Both start when QEMU's trigger fires: the
 * bytes dirtied in a period of more than a second exceed {@code triggerPercent} of the bytes sent
 * in it, for the second time. {@link #autoConverge}: QEMU's auto-converge, which then throttles the
 * writers to {@code initial} percent, and by {@code increment} more at each further firing, up to
 * {@code max}. {@link #dirtyLimit}: QEMU 8.1's dirty-limit, which then holds the dirty rate at
 * {@code limitBytesPerSecond}.
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
        return new Throttle(Kind.DIRTY_LIMIT, 0, 0, 0, 50, bytesPerSecond);
    }

    /** The same throttle as the migration's parameters (tailslow off; the dirty limit in MiB/s). */
    io.godwit.options.ThrottleParameters parameters() {
        io.godwit.options.ThrottleParameters d = io.godwit.options.ThrottleParameters.defaults();
        if (kind != Kind.AUTO_CONVERGE) {
            return d;
        }
        return new io.godwit.options.ThrottleParameters(initial, increment, false, max, triggerPercent,
                d.vcpuDirtyLimit(), d.vcpuDirtyLimitPeriodMs());
    }
}

package io.godwit.options;

import java.util.LinkedHashMap;
import java.util.SequencedMap;
import java.util.Set;

/**
 * The parameters of auto-converge and dirty-limit, with QEMU's names, defaults and checks
 * (migration/options.c), and the rule by which auto-converge raises its throttle
 * (migration/ram.c, mig_throttle_guest_down).
 *
 * @param cpuThrottleInitial cpu-throttle-initial: the first throttle, percent (1-99)
 * @param cpuThrottleIncrement cpu-throttle-increment: how much each further trigger adds (1-99)
 * @param cpuThrottleTailslow cpu-throttle-tailslow: near the end, add only what would bring the
 *     dirty bytes down to the trigger threshold, at most the increment
 * @param maxCpuThrottle max-cpu-throttle: the highest throttle (cpu-throttle-initial to 99)
 * @param throttleTriggerThreshold throttle-trigger-threshold: the share (percent, 1-100) of the bytes
 *     sent in a period that the bytes dirtied in it may reach before the writers are slowed
 * @param vcpuDirtyLimit vcpu-dirty-limit: what each writer thread may dirty, MB/s (QEMU's MB is a
 *     MiB), at least 1
 * @param vcpuDirtyLimitPeriodMs x-vcpu-dirty-limit-period: the period over which a writer's dirty
 *     rate is measured and capped, ms (1-1000)
 */
public record ThrottleParameters(int cpuThrottleInitial, int cpuThrottleIncrement, boolean cpuThrottleTailslow,
        int maxCpuThrottle, int throttleTriggerThreshold, long vcpuDirtyLimit, long vcpuDirtyLimitPeriodMs) {
    public static final String CPU_THROTTLE_INITIAL = "cpu-throttle-initial";
    public static final String CPU_THROTTLE_INCREMENT = "cpu-throttle-increment";
    public static final String CPU_THROTTLE_TAILSLOW = "cpu-throttle-tailslow";
    public static final String MAX_CPU_THROTTLE = "max-cpu-throttle";
    public static final String THROTTLE_TRIGGER_THRESHOLD = "throttle-trigger-threshold";
    public static final String VCPU_DIRTY_LIMIT = "vcpu-dirty-limit";
    public static final String VCPU_DIRTY_LIMIT_PERIOD = "x-vcpu-dirty-limit-period";
    public static final Set<String> NAMES = Set.of(CPU_THROTTLE_INITIAL, CPU_THROTTLE_INCREMENT,
            CPU_THROTTLE_TAILSLOW, MAX_CPU_THROTTLE, THROTTLE_TRIGGER_THRESHOLD, VCPU_DIRTY_LIMIT,
            VCPU_DIRTY_LIMIT_PERIOD);

    public ThrottleParameters {
        // the order and the words of QEMU's migrate_params_check
        if (throttleTriggerThreshold < 1 || throttleTriggerThreshold > 100) {
            throw invalid("throttle_trigger_threshold", "an integer in the range of 1 to 100");
        }
        if (cpuThrottleInitial < 1 || cpuThrottleInitial > 99) {
            throw invalid("cpu_throttle_initial", "an integer in the range of 1 to 99");
        }
        if (cpuThrottleIncrement < 1 || cpuThrottleIncrement > 99) {
            throw invalid("cpu_throttle_increment", "an integer in the range of 1 to 99");
        }
        if (maxCpuThrottle < cpuThrottleInitial || maxCpuThrottle > 99) {
            throw invalid("max_cpu_throttle", "an integer in the range of cpu_throttle_initial to 99");
        }
        if (vcpuDirtyLimitPeriodMs < 1 || vcpuDirtyLimitPeriodMs > 1000) {
            throw invalid("x-vcpu-dirty-limit-period", "a value between 1 and 1000");
        }
        if (vcpuDirtyLimit < 1) {
            throw new IllegalArgumentException("Parameter 'vcpu_dirty_limit' is invalid, it must greater than 1 MB/s");
        }
    }

    private static IllegalArgumentException invalid(String name, String expects) {
        return new IllegalArgumentException("Parameter '" + name + "' expects " + expects);
    }

    /** QEMU's defaults: 20% then +10% up to 99%, trigger at 50%, tailslow off; 1 MB/s per 1000 ms. */
    public static ThrottleParameters defaults() {
        return new ThrottleParameters(20, 10, false, 99, 50, 1, 1000);
    }

    /**
     * The throttle after a trigger (QEMU's mig_throttle_guest_down): cpu-throttle-initial when
     * none is on yet; otherwise {@code current} plus cpu-throttle-increment, or with tailslow plus
     * what would bring the running share down to threshold/dirtied of itself (at most the
     * increment); never above max-cpu-throttle.
     *
     * @param current the throttle in force, percent, 0 for none
     * @param bytesDirtyPeriod bytes dirtied in the period that fired the trigger
     * @param bytesDirtyThreshold the trigger threshold's share of the bytes sent in that period
     */
    public int nextThrottle(int current, long bytesDirtyPeriod, long bytesDirtyThreshold) {
        if (current == 0) {
            return Math.min(cpuThrottleInitial, 99);
        }
        long increment = cpuThrottleIncrement;
        if (cpuThrottleTailslow && bytesDirtyPeriod > 0) {
            long cpuNow = 100 - current;
            long cpuIdeal = (long) (cpuNow * ((double) bytesDirtyThreshold / bytesDirtyPeriod)); // C's truncation
            increment = Math.min(Math.max(0, cpuNow - cpuIdeal), cpuThrottleIncrement);
        }
        return (int) Math.min(current + increment, maxCpuThrottle);
    }

    /** Sets one parameter by its QMP name from a QMP value: a Long or a Boolean. */
    public ThrottleParameters with(String name, Object value) {
        return switch (name) {
            case CPU_THROTTLE_INITIAL -> new ThrottleParameters(small(name, value), cpuThrottleIncrement,
                    cpuThrottleTailslow, maxCpuThrottle, throttleTriggerThreshold, vcpuDirtyLimit, vcpuDirtyLimitPeriodMs);
            case CPU_THROTTLE_INCREMENT -> new ThrottleParameters(cpuThrottleInitial, small(name, value),
                    cpuThrottleTailslow, maxCpuThrottle, throttleTriggerThreshold, vcpuDirtyLimit, vcpuDirtyLimitPeriodMs);
            case CPU_THROTTLE_TAILSLOW -> new ThrottleParameters(cpuThrottleInitial, cpuThrottleIncrement,
                    bool(name, value), maxCpuThrottle, throttleTriggerThreshold, vcpuDirtyLimit, vcpuDirtyLimitPeriodMs);
            case MAX_CPU_THROTTLE -> new ThrottleParameters(cpuThrottleInitial, cpuThrottleIncrement,
                    cpuThrottleTailslow, small(name, value), throttleTriggerThreshold, vcpuDirtyLimit,
                    vcpuDirtyLimitPeriodMs);
            case THROTTLE_TRIGGER_THRESHOLD -> new ThrottleParameters(cpuThrottleInitial, cpuThrottleIncrement,
                    cpuThrottleTailslow, maxCpuThrottle, small(name, value), vcpuDirtyLimit, vcpuDirtyLimitPeriodMs);
            case VCPU_DIRTY_LIMIT -> new ThrottleParameters(cpuThrottleInitial, cpuThrottleIncrement,
                    cpuThrottleTailslow, maxCpuThrottle, throttleTriggerThreshold, integer(name, value),
                    vcpuDirtyLimitPeriodMs);
            case VCPU_DIRTY_LIMIT_PERIOD -> new ThrottleParameters(cpuThrottleInitial, cpuThrottleIncrement,
                    cpuThrottleTailslow, maxCpuThrottle, throttleTriggerThreshold, vcpuDirtyLimit, integer(name, value));
            default -> throw new IllegalArgumentException("Parameter '" + name + "' is unexpected");
        };
    }

    /** QEMU's uint8 parameters: a value past 255 is out of every range here, and refused as such. */
    private static int small(String name, Object value) {
        long v = integer(name, value);
        return v < 0 || v > 255 ? -1 : (int) v;
    }

    private static long integer(String name, Object value) {
        if (!(value instanceof Long l)) {
            throw new IllegalArgumentException("Parameter '" + name + "' expects an integer");
        }
        return l;
    }

    private static boolean bool(String name, Object value) {
        if (!(value instanceof Boolean b)) {
            throw new IllegalArgumentException("Parameter '" + name + "' expects a boolean");
        }
        return b;
    }

    /** Every parameter by its QMP name, as query-migrate-parameters shows it. */
    public SequencedMap<String, Object> byName() {
        SequencedMap<String, Object> m = new LinkedHashMap<>();
        m.put(THROTTLE_TRIGGER_THRESHOLD, (long) throttleTriggerThreshold);
        m.put(CPU_THROTTLE_INITIAL, (long) cpuThrottleInitial);
        m.put(CPU_THROTTLE_INCREMENT, (long) cpuThrottleIncrement);
        m.put(CPU_THROTTLE_TAILSLOW, cpuThrottleTailslow);
        m.put(MAX_CPU_THROTTLE, (long) maxCpuThrottle);
        m.put(VCPU_DIRTY_LIMIT_PERIOD, vcpuDirtyLimitPeriodMs);
        m.put(VCPU_DIRTY_LIMIT, vcpuDirtyLimit);
        return m;
    }
}

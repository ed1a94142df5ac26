package io.godwit.machine;

import java.lang.management.ManagementFactory;

/**
 * How much RAM this host can back, for the default limit of what a blank destination maps. RAM
 * blocks are mapped without reserving memory, so an oversized block would be accepted and only
 * fail (or bring the OOM killer) once its pages are written: the limit refuses it up front.
 */
public final class HostMemory {
    /** Kept for everything else on the host besides this JVM's heap. */
    static final long RESERVE = 256L << 20;
    /** The default never goes below this, so a small host can still take a small guest. */
    static final long FLOOR = 256L << 20;

    private HostMemory() {}

    /**
     * Physical memory plus swap, as the JVM sees them (container limits included), less this
     * JVM's maximum heap and {@link #RESERVE}; at least {@link #FLOOR}.
     */
    public static long backable() {
        long total = physicalPlusSwap();
        long margin = Runtime.getRuntime().maxMemory() + RESERVE;
        return Math.max(FLOOR, total - margin);
    }

    /** Physical memory plus swap in bytes (OperatingSystemMXBean total memory and swap size). */
    public static long physicalPlusSwap() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return os.getTotalMemorySize() + os.getTotalSwapSpaceSize();
    }
}

package io.godwit.dirtyrate;

/** How the dirty rate is measured (QEMU's DirtyRateMeasureMode). */
public enum DirtyRateMode {
    /** Hash sampled pages at the start and the end; count the samples that changed. */
    PAGE_SAMPLING("page-sampling"),
    /** Count the pages the RAM's dirty tracking marked during the window. */
    DIRTY_BITMAP("dirty-bitmap"),
    /** KVM's per-vCPU dirty ring: a machine without vCPUs in a kernel has none; always refused. */
    DIRTY_RING("dirty-ring");

    public final String qmpName;

    DirtyRateMode(String qmpName) {
        this.qmpName = qmpName;
    }

    /** The mode named {@code name} as QMP spells it; IllegalArgumentException otherwise. */
    public static DirtyRateMode parse(String name) {
        for (DirtyRateMode m : values()) {
            if (m.qmpName.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("Parameter 'mode' does not accept value '" + name + "'");
    }
}

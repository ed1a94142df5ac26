package io.godwit.dirtyrate;

/**
 * What to measure: a window of {@code calcTimeMs}, {@code samplePages} sampled pages per GiB of
 * RAM (page-sampling only) and the mode. The ranges are QEMU's.
 */
public record DirtyRateConfig(long calcTimeMs, long samplePages, DirtyRateMode mode) {
    public static final long MIN_CALC_TIME_MS = 50;
    public static final long MAX_CALC_TIME_MS = 60_000;
    public static final long MIN_SAMPLE_PAGES = 128;
    public static final long MAX_SAMPLE_PAGES = 16_384;
    public static final long DEFAULT_SAMPLE_PAGES = 512;

    /** Checks the values as QEMU's qmp_calc_dirty_rate does; IllegalArgumentException with its message. */
    public DirtyRateConfig {
        if (calcTimeMs < MIN_CALC_TIME_MS || calcTimeMs > MAX_CALC_TIME_MS) {
            throw new IllegalArgumentException("Calculation time is out of range [" + MIN_CALC_TIME_MS + "ms, "
                    + MAX_CALC_TIME_MS + "ms].");
        }
        if (mode == DirtyRateMode.DIRTY_RING) {
            throw new IllegalArgumentException("mode dirty-ring is not enabled, use other method instead. "
                    + "(a Godwit machine has no KVM dirty ring: use page-sampling or dirty-bitmap)");
        }
        if (samplePages < MIN_SAMPLE_PAGES || samplePages > MAX_SAMPLE_PAGES) {
            throw new IllegalArgumentException("sample-pages is out of range[" + MIN_SAMPLE_PAGES + ", "
                    + MAX_SAMPLE_PAGES + "].");
        }
    }

    /**
     * From QMP's arguments: {@code samplePages} null for the default, which only page-sampling
     * may set; {@code mode} null for page-sampling.
     */
    public static DirtyRateConfig of(long calcTimeMs, Long samplePages, DirtyRateMode mode) {
        DirtyRateMode m = mode != null ? mode : DirtyRateMode.PAGE_SAMPLING;
        if (samplePages != null && m != DirtyRateMode.PAGE_SAMPLING) {
            throw new IllegalArgumentException("sample-pages is used only in page-sampling mode");
        }
        return new DirtyRateConfig(calcTimeMs, samplePages != null ? samplePages : DEFAULT_SAMPLE_PAGES, m);
    }
}

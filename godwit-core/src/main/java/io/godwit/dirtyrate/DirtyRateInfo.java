package io.godwit.dirtyrate;

/**
 * A measurement as query-dirty-rate shows it. {@code dirtyRateMiBps} is -1 until measured;
 * {@code startTimeSeconds} is wall-clock seconds since the epoch; {@code samplePages} is 0 for
 * dirty-bitmap (as in QEMU); {@code dirtyBytesPerSecond} is the same rate unrounded, for
 * planners that want more than whole MiB/s.
 */
public record DirtyRateInfo(DirtyRateStatus status, long dirtyRateMiBps, double dirtyBytesPerSecond,
        long startTimeSeconds, long calcTimeMs, long samplePages, DirtyRateMode mode) {
    static final DirtyRateInfo NONE = new DirtyRateInfo(DirtyRateStatus.UNSTARTED, -1, -1, 0, 0,
            DirtyRateConfig.DEFAULT_SAMPLE_PAGES, DirtyRateMode.PAGE_SAMPLING);
}

package io.godwit.api;

import io.godwit.ram.DirtyTracker;
import io.godwit.ram.DirtyTracking;

/**
 * How a {@link Region} is made. Immutable; start from {@link #defaults()}.
 *
 * @param prealloc write every page when the region is created, so the first store to a page
 *     later costs nothing (QEMU's {@code -mem-prealloc})
 * @param tracking how the pages the service changes are found ({@code auto}, {@code kernel},
 *     {@code hash}, {@code explicit}); null: the node's default ({@link Node#setDefaultTracking})
 * @param tracker a tracker of your own (the {@link DirtyTracker} SPI); when set it wins over
 *     {@code tracking}
 */
public record RegionOptions(boolean prealloc, DirtyTracking.Mode tracking, DirtyTracker tracker) {

    /** No prealloc; the node's default tracking. */
    public static RegionOptions defaults() {
        return new RegionOptions(false, null, null);
    }

    public RegionOptions withPrealloc(boolean on) {
        return new RegionOptions(on, tracking, tracker);
    }

    /**
     * {@code auto}: kernel where it works (Linux 6.7+), else hash. {@code kernel}: any store is
     * found by page protection; refused where it cannot work. {@code hash}: pages are compared at
     * each pass; anywhere. {@code explicit}: only what the service reports with
     * {@link Region#markWritten}.
     */
    public RegionOptions withTracking(DirtyTracking.Mode mode) {
        return new RegionOptions(prealloc, mode, null);
    }

    public RegionOptions withTracker(DirtyTracker t) {
        return new RegionOptions(prealloc, tracking, t);
    }
}

package io.godwit.api;

import io.godwit.ram.DirtyTracker;
import java.util.Objects;

/**
 * How a {@link Region} is made. Immutable; start from {@link #defaults()}.
 *
 * @param prealloc write every page when the region is created, so the first store to a page
 *     later costs nothing (QEMU's {@code -mem-prealloc})
 * @param tracker what finds the pages the service changes with plain {@code MemorySegment}
 *     stores; {@link DirtyTracker#EXPLICIT} finds none, so the service must call
 *     {@link Region#markWritten} after its stores
 */
public record RegionOptions(boolean prealloc, DirtyTracker tracker) {
    public RegionOptions {
        Objects.requireNonNull(tracker, "tracker");
    }

    /** No prealloc; explicit tracking. */
    public static RegionOptions defaults() {
        return new RegionOptions(false, DirtyTracker.EXPLICIT);
    }

    public RegionOptions withPrealloc(boolean on) {
        return new RegionOptions(on, tracker);
    }

    public RegionOptions withTracker(DirtyTracker t) {
        return new RegionOptions(prealloc, t);
    }
}

package io.godwit.api;

import io.godwit.ram.RamBlock;
import java.lang.foreign.MemorySegment;

/**
 * A region of off-heap memory that migrates with its node: a RAM block in the migration stream,
 * under its name. The service reads and writes {@link #segment()} with plain stores; the region's
 * tracker (see {@link RegionOptions#tracking()}) finds the pages that changed, or, with explicit
 * tracking, the service says so with {@link #markWritten}. The destination's region of the same
 * name and size receives the bytes.
 *
 * <p>Thread-safe: any thread may write the segment while the node runs (the service orders its own
 * writers). Writes must stop when the node stops ({@link NodeListener#stopped}). The segment is
 * freed when the node closes; using it afterwards throws {@link IllegalStateException}.
 */
public final class Region {
    private final RamBlock block;

    Region(RamBlock block) {
        this.block = block;
    }

    public String name() {
        return block.name();
    }

    /** The size in bytes, a multiple of 4096. */
    public long size() {
        return block.size();
    }

    /** The memory, zero at first: read and write it directly. */
    public MemorySegment segment() {
        return block.segment();
    }

    /** The tracker's name: "explicit", "kernel" or "hash" ({@code auto} has become one of the last two). */
    public String tracking() {
        return block.tracker().name();
    }

    /** The tracker's name and how it works, for logs. */
    public String trackingDescription() {
        return block.tracker().description();
    }

    /** True when only {@link #markWritten} reports changes: plain stores must be followed by it. */
    public boolean needsMarks() {
        return block.tracker() == io.godwit.ram.DirtyTracker.EXPLICIT;
    }

    /**
     * Marks {@code [offset, offset + length)} as changed after stores to {@link #segment()}. Needed
     * only with explicit tracking, where nothing else sees plain stores; harmless (an atomic OR per
     * page) with any tracker. Call it after the stores, never before.
     *
     * @throws IndexOutOfBoundsException if the range is not inside the region
     */
    public void markWritten(long offset, long length) {
        if (offset < 0 || length < 0 || offset > block.size() - length) {
            throw new IndexOutOfBoundsException("range [" + offset + ", +" + length + ") outside region '"
                    + block.name() + "' of " + block.size() + " bytes");
        }
        block.markWritten(offset, length);
    }

    RamBlock block() {
        return block;
    }

    @Override
    public String toString() {
        return "Region[" + block.name() + ", " + block.size() + " bytes, " + tracking() + "]";
    }
}

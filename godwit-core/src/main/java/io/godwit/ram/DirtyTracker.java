package io.godwit.ram;

/**
 * How writes to a RAM block become dirty marks (QEMU's dirty-log backends). Writes through the
 * {@link RamBlock} API always mark the block's dirty bitmap; a tracker finds the writes made any
 * other way (plain {@code MemorySegment} stores) and marks them too. The migration thread calls
 * {@link #start} at setup, {@link #collect} before every sync (and the last one, with the
 * writers stopped), and {@link #stop} when the migration ends; never concurrently.
 */
public interface DirtyTracker {
    /** "explicit", "kernel" or "hash": shown in query-migrate and the logs. */
    String name();

    /** The name with how it works, for logs: "kernel (userfaultfd async write-protect + PAGEMAP_SCAN)". */
    default String description() {
        return name();
    }

    /** From now on, every page changed in {@code block} is reported by {@link #collect}. */
    void start(RamBlock block);

    /** Marks in {@code block.dirtyBitmap()} every page changed since {@link #start} or the last collect. */
    void collect(RamBlock block);

    /** Tracking is over (the migration completed, failed or was cancelled); frees what it held. */
    void stop(RamBlock block);

    /**
     * True when the tracker must hear of every page as it is sent ({@link #sent}): a tracker that
     * compares contents must compare with what the destination holds, not with what it saw at a
     * sync, or a page that changes and changes back after it was sent would be missed.
     */
    default boolean wantsSentPages() {
        return false;
    }

    /**
     * Page {@code page} of {@code block} was sent; {@code bytes} (4 KiB, valid only during the
     * call) are exactly what the destination now holds: the page as copied into the stream, or
     * zeros for a ZERO record. Called on the migration thread, only if {@link #wantsSentPages}.
     */
    default void sent(RamBlock block, long page, java.lang.foreign.MemorySegment bytes) {}

    /** Only writes through the {@link RamBlock} API are seen: nothing to start, collect or stop. */
    DirtyTracker EXPLICIT = new DirtyTracker() {
        @Override
        public String name() {
            return "explicit";
        }

        @Override
        public String description() {
            return "explicit (writes through RamBlock mark the dirty bitmap)";
        }

        @Override
        public void start(RamBlock block) {}

        @Override
        public void collect(RamBlock block) {}

        @Override
        public void stop(RamBlock block) {}
    };
}

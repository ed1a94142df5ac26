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

    /** From now on, every page changed in {@code block} is reported by {@link #collect}. */
    void start(RamBlock block);

    /** Marks in {@code block.dirtyBitmap()} every page changed since {@link #start} or the last collect. */
    void collect(RamBlock block);

    /** Tracking is over (the migration completed, failed or was cancelled); frees what it held. */
    void stop(RamBlock block);

    /** Only writes through the {@link RamBlock} API are seen: nothing to start, collect or stop. */
    DirtyTracker EXPLICIT = new DirtyTracker() {
        @Override
        public String name() {
            return "explicit";
        }

        @Override
        public void start(RamBlock block) {}

        @Override
        public void collect(RamBlock block) {}

        @Override
        public void stop(RamBlock block) {}
    };
}

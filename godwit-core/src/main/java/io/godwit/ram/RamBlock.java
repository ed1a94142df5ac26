package io.godwit.ram;

import io.godwit.util.bitset.AtomicBitSet;
import static io.godwit.stream.StreamConstants.TARGET_PAGE_SIZE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A named block of off-heap memory in 4 KiB pages (QEMU's RAMBlock). Writes go through this class
 * so they mark the dirty bitmap; reads may use {@link #segment()} directly, except on a
 * destination in post-copy: there a page may not have arrived yet, and only this class's methods
 * wait for it (see {@link IncomingPages}). A block with a {@link DirtyTracker} other than
 * {@link DirtyTracker#EXPLICIT} may also be written with plain stores to its segment: the tracker
 * finds those writes while a migration runs.
 *
 * <p>The block also knows which pages may be non-zero ("populated"): a page never written since
 * the block was created is zero without being read, as an untouched anonymous page is (for a
 * tracked block, only while its tracker runs: it marks what plain stores wrote before). The
 * populated bitmap is updated by whoever migrates the block (one migration at a time); writers only
 * touch the dirty bitmap, whose marks count as populated until they are folded in.
 */
public final class RamBlock implements AutoCloseable {
    public static final int PAGE_SIZE = TARGET_PAGE_SIZE;
    public static final int PAGE_SHIFT = 12;

    private final String name;
    private final long size;
    private final Arena arena;
    private final MemorySegment segment;
    private final AtomicBitSet dirty;
    private final long[] populated;
    private volatile java.util.function.LongConsumer onWrite; // storage attributes hear of writes
    private final DirtyTracker tracker;
    private volatile IncomingPages incoming; // post-copy, destination: pages that may not have arrived
    private volatile AtomicBitSet writeLog; // a dirty-rate measurement's own marks, or null
    // False while plain stores may have written pages that neither bitmap shows (a tracker other
    // than EXPLICIT that is not running): then no page is known to be zero.
    private volatile boolean zeroKnown;

    public RamBlock(String name, long size, boolean prealloc) {
        this(name, size, prealloc, DirtyTracker.EXPLICIT);
    }

    /** A block whose writes that bypass this class are found by {@code tracker}. */
    public RamBlock(String name, long size, boolean prealloc, DirtyTracker tracker) {
        if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("RAM block name must be 1 to 255 bytes: '" + name + "'");
        }
        if (size <= 0 || size % PAGE_SIZE != 0) {
            throw new IllegalArgumentException("RAM block size must be a positive multiple of 4096: " + size);
        }
        if ((size >>> PAGE_SHIFT) > Integer.MAX_VALUE * 64L) {
            throw new IllegalArgumentException("RAM block too large: " + size);
        }
        this.name = name;
        this.size = size;
        this.tracker = java.util.Objects.requireNonNull(tracker, "tracker");
        this.zeroKnown = tracker == DirtyTracker.EXPLICIT;
        this.arena = Arena.ofShared();
        this.segment = RamMemory.allocate(arena, size, prealloc);
        this.dirty = new AtomicBitSet(size >>> PAGE_SHIFT);
        this.populated = new long[(int) ((pages() + 63) >>> 6)];
    }

    public String name() {
        return name;
    }

    public long size() {
        return size;
    }

    public long pages() {
        return size >>> PAGE_SHIFT;
    }

    /**
     * The memory itself. Reading is free; writing through it bypasses dirty tracking. On a
     * destination in post-copy, raw access cannot wait for a page that has not arrived: call
     * {@link #awaitRange} first, or use this class's methods.
     */
    public MemorySegment segment() {
        return segment;
    }

    // --- post-copy, destination ---

    /** Starts tracking which pages arrive (POSTCOPY_ADVISE); returns the tracking. */
    public IncomingPages trackIncoming() {
        IncomingPages in = incoming;
        if (in == null) {
            in = new IncomingPages(this);
            incoming = in;
        }
        return in;
    }

    /** The arrival tracking of a post-copy migration into this block, or null. */
    public IncomingPages incoming() {
        return incoming;
    }

    /** Post-copy is over: every page is here, accesses no longer check. */
    public void endIncoming() {
        incoming = null;
    }

    /** Waits until every page of {@code [offset, offset + len)} has arrived (post-copy); at once otherwise. */
    public void awaitRange(long offset, long len) {
        IncomingPages in = incoming;
        if (in != null && len > 0) {
            in.awaitRange(offset >>> PAGE_SHIFT, ((offset + len - 1) >>> PAGE_SHIFT) + 1);
        }
    }

    private void await(long offset) {
        IncomingPages in = incoming;
        if (in != null) {
            in.await(offset >>> PAGE_SHIFT);
        }
    }

    /** A value of {@code size} bytes, which may end on the next page when unaligned. */
    private void await(long offset, int size) {
        IncomingPages in = incoming;
        if (in != null) {
            in.await(offset >>> PAGE_SHIFT);
            in.await((offset + size - 1) >>> PAGE_SHIFT);
        }
    }

    public AtomicBitSet dirtyBitmap() {
        return dirty;
    }

    /** What finds the writes that bypass this class ({@link DirtyTracker#EXPLICIT}: none do). */
    public DirtyTracker tracker() {
        return tracker;
    }

    /** Hears of every page written through this block (storage attributes use it). */
    public void onWrite(java.util.function.LongConsumer pageWritten) {
        this.onWrite = pageWritten;
    }

    /**
     * The hook hears of the write before the page is marked: a page the storage attributes had as
     * UNUSED is STABLE by the time the migration can take the mark, so it is sent with its data.
     */
    private void written(long page) {
        java.util.function.LongConsumer l = onWrite;
        if (l != null) {
            l.accept(page);
        }
        dirty.mark(page);
        PageWrites.add(1);
        AtomicBitSet log = writeLog;
        if (log != null) {
            log.mark(page);
        }
    }

    /**
     * From now on every write through this block also marks {@code log} (a dirty-rate
     * measurement's window), leaving the migration's dirty bitmap as it is.
     */
    public void setWriteLog(AtomicBitSet log) {
        if (log.pages() != pages()) {
            throw new IllegalArgumentException("a write log of " + log.pages() + " pages for a block of " + pages());
        }
        writeLog = log;
    }

    /** Ends {@link #setWriteLog} for {@code log} (if it is still the one set). */
    public void clearWriteLog(AtomicBitSet log) {
        if (writeLog == log) {
            writeLog = null;
        }
    }

    // --- writes (tracked) ---

    public void putByte(long offset, byte v) {
        await(offset);
        segment.set(ValueLayout.JAVA_BYTE, offset, v);
        written(offset >>> PAGE_SHIFT);
    }

    /** Adds one to the byte at {@code offset} and returns the new value. */
    public byte incrementByte(long offset) {
        await(offset);
        byte v = (byte) (segment.get(ValueLayout.JAVA_BYTE, offset) + 1);
        segment.set(ValueLayout.JAVA_BYTE, offset, v);
        written(offset >>> PAGE_SHIFT);
        return v;
    }

    public void putLong(long offset, long v) {
        await(offset, 8);
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, v);
        written(offset >>> PAGE_SHIFT);
    }

    public void write(long offset, byte[] src, int srcOff, int len) {
        awaitRange(offset, len);
        MemorySegment.copy(src, srcOff, segment, ValueLayout.JAVA_BYTE, offset, len);
        markWritten(offset, len);
    }

    public void write(long offset, MemorySegment src) {
        awaitRange(offset, src.byteSize());
        MemorySegment.copy(src, 0, segment, offset, src.byteSize());
        markWritten(offset, src.byteSize());
    }

    /** Marks {@code [offset, offset + len)} dirty after a write through {@link #segment()}. */
    public void markWritten(long offset, long len) {
        if (len > 0) {
            long from = offset >>> PAGE_SHIFT;
            long to = (offset + len - 1 >>> PAGE_SHIFT) + 1;
            java.util.function.LongConsumer l = onWrite;
            if (l != null) { // before the marks, as in written(long)
                for (long p = from; p < to; p++) {
                    l.accept(p);
                }
            }
            dirty.markRange(from, to);
            PageWrites.add(to - from);
            AtomicBitSet log = writeLog;
            if (log != null) {
                log.markRange(from, to);
            }
        }
    }

    // --- reads ---

    public byte getByte(long offset) {
        await(offset);
        return segment.get(ValueLayout.JAVA_BYTE, offset);
    }

    public long getLong(long offset) {
        await(offset, 8);
        return segment.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
    }

    // --- populated pages (owned by the migrating thread) ---

    /** False only when the page is known to be zero: never written, nothing loaded into it. */
    public boolean mayBeNonZero(long page) {
        if (!zeroKnown) {
            return true;
        }
        int w = (int) (page >>> 6);
        return ((populated[w] | dirty.word(w)) & (1L << page)) != 0;
    }

    /** True when no page of {@code [from, to)} may be non-zero. */
    public boolean knownZero(long fromPage, long toPage) {
        if (!zeroKnown) {
            return false;
        }
        for (long p = fromPage; p < toPage; ) {
            int w = (int) (p >>> 6);
            long mask = -1L << p;
            long wordEnd = ((long) w + 1) << 6;
            if (toPage < wordEnd) {
                mask &= -1L >>> (64 - (toPage & 63));
            }
            if (((populated[w] | dirty.word(w)) & mask) != 0) {
                return false;
            }
            p = wordEnd;
        }
        return true;
    }

    /**
     * A tracker says whether every page that may hold data is populated or marked dirty: true once
     * it has marked the pages written before it started, false when it stops.
     */
    void zeroPagesKnown(boolean known) {
        zeroKnown = known || tracker == DirtyTracker.EXPLICIT;
    }

    /** Records that a page now holds data (the destination loaded it); multifd channels may call it at once. */
    public void setPopulated(long page) {
        POPULATED.getAndBitwiseOr(populated, (int) (page >>> 6), 1L << page);
    }

    private static final java.lang.invoke.VarHandle POPULATED =
            java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);

    long[] populatedWords() {
        return populated;
    }

    @Override
    public void close() {
        arena.close();
    }

    @Override
    public String toString() {
        return "RamBlock[" + name + ", " + size + " bytes]";
    }
}

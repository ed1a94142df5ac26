package io.godwit.ram;

import static io.godwit.ram.RamBlock.PAGE_SHIFT;

import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Portable dirty tracking by content: a 64-bit {@link PageHash} per 4 KiB page, taken at start;
 * each collect hashes every page again and marks those whose hash changed. It needs nothing from
 * the OS, and costs a read of the whole block per sync (parallel over the common fork-join pool)
 * and 8 bytes of memory per page.
 *
 * <p>The stored hash stands for what the destination holds. A collect stores the hash it saw
 * (the page is then dirty, so it will be sent), and every page sent replaces it with the hash of
 * the exact bytes that went out ({@link #sent}). Without that, a page that changes after a collect,
 * is sent in its new state, and changes back before the next collect would look unchanged there
 * while the destination holds the intermediate state (a lock word taken and released, say).
 */
final class HashDirtyTracker implements DirtyTracker {
    private static final int CHUNK_PAGES = 512; // 2 MiB per task

    private final Map<RamBlock, long[]> hashes = new IdentityHashMap<>(); // guarded by this
    private final String note;

    HashDirtyTracker() {
        this(null);
    }

    /** With {@code note} (why this backend was chosen) at the end of the description. */
    HashDirtyTracker(String note) {
        this.note = note;
    }

    @Override
    public String name() {
        return "hash";
    }

    @Override
    public String description() {
        return "hash (CRC32C+CRC32 of every 4 KiB page, compared at each sync)" + (note == null ? "" : "; " + note);
    }

    /** Hashes every page; marks the pages that hold data already, so they count as written. */
    @Override
    public void start(RamBlock block) {
        if (block.pages() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("hash dirty tracking supports blocks up to 8 TiB; " + block + " is larger");
        }
        long[] h = new long[(int) block.pages()];
        MemorySegment seg = block.segment();
        forEachPage(block, p -> {
            long x = PageHash.of(seg, (long) p << PAGE_SHIFT);
            h[p] = x;
            if (x != PageHash.ZERO || !ZeroPages.isZero(seg, (long) p << PAGE_SHIFT)) {
                block.dirtyBitmap().mark(p);
            }
        });
        synchronized (this) {
            if (hashes.putIfAbsent(block, h) != null) {
                throw new IllegalStateException("hash dirty tracking already runs on " + block);
            }
        }
        block.zeroPagesKnown(true);
    }

    @Override
    public void collect(RamBlock block) {
        long[] h = hashesOf(block);
        MemorySegment seg = block.segment();
        forEachPage(block, p -> {
            long x = PageHash.of(seg, (long) p << PAGE_SHIFT);
            if (x != h[p]) {
                h[p] = x;
                block.dirtyBitmap().mark(p);
            }
        });
    }

    @Override
    public boolean wantsSentPages() {
        return true;
    }

    @Override
    public void sent(RamBlock block, long page, MemorySegment bytes) {
        hashesOf(block)[(int) page] = bytes == ZeroPages.page() ? PageHash.ZERO : PageHash.of(bytes, 0);
    }

    @Override
    public void stop(RamBlock block) {
        synchronized (this) {
            if (hashes.remove(block) == null) {
                return;
            }
        }
        block.zeroPagesKnown(false);
    }

    private synchronized long[] hashesOf(RamBlock block) {
        long[] h = hashes.get(block);
        if (h == null) {
            throw new IllegalStateException("hash dirty tracking is not running on " + block);
        }
        return h;
    }

    /** Runs {@code action} on every page, in parallel by chunks; returns once all are done. */
    private static void forEachPage(RamBlock block, java.util.function.IntConsumer action) {
        int pages = (int) block.pages();
        int chunks = (pages + CHUNK_PAGES - 1) / CHUNK_PAGES;
        IntStream.range(0, chunks).parallel().forEach(c -> {
            int end = Math.min(pages, (c + 1) * CHUNK_PAGES);
            for (int p = c * CHUNK_PAGES; p < end; p++) {
                action.accept(p);
            }
        });
    }
}

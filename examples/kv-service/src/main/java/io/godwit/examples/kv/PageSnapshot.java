package io.godwit.examples.kv;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The table as it was at one moment, kept without stopping anyone: each page is copied aside just
 * before its first write after that moment, so a page reads as it was from the copy if it has
 * been written since, else from the table itself. A destination takes one when it goes live, so
 * its loaded state can be compared with the source's later, while clients write.
 *
 * <p>The table's writers call {@link #beforeWrite} holding the page's lock, and readers of
 * {@link #page} hold it too; that lock is what keeps a page from changing between the two.
 */
final class PageSnapshot {
    private final MemorySegment table;
    private final MemorySegment saved;
    private final AtomicLongArray copied;

    /** @param buffer as large as the table; its content is overwritten */
    PageSnapshot(MemorySegment table, MemorySegment buffer) {
        if (buffer.byteSize() < table.byteSize()) {
            throw new IllegalArgumentException("a snapshot needs " + table.byteSize() + " bytes, not "
                    + buffer.byteSize());
        }
        this.table = table;
        this.saved = buffer;
        this.copied = new AtomicLongArray((int) ((table.byteSize() / KvTable.PAGE + 63) / 64));
    }

    /** Before the first store into {@code page} since the snapshot: keep the page as it was. */
    void beforeWrite(long page) {
        int w = (int) (page >>> 6);
        long bit = 1L << page;
        if ((copied.get(w) & bit) == 0) {
            long off = page * KvTable.PAGE;
            MemorySegment.copy(table, off, saved, off, KvTable.PAGE);
            copied.getAndAccumulate(w, bit, (a, b) -> a | b);
        }
    }

    /** The page as it was when the snapshot was taken. */
    MemorySegment page(long page) {
        long off = page * KvTable.PAGE;
        boolean written = (copied.get((int) (page >>> 6)) & (1L << page)) != 0;
        return (written ? saved : table).asSlice(off, KvTable.PAGE);
    }

    /** Pages written since the snapshot (each copied once). */
    long pagesCopied() {
        long n = 0;
        for (int i = 0; i < copied.length(); i++) {
            n += Long.bitCount(copied.get(i));
        }
        return n;
    }
}

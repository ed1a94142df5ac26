package io.godwit.ram;

import static io.godwit.ram.RamBlock.PAGE_SHIFT;

import io.godwit.util.bitset.AtomicBitSet;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;

/**
 * Post-copy, destination: which pages of one block have arrived (QEMU's receivedmap), and the
 * waits for those that have not. Once the destination listens, an access through the block's
 * methods to a missing page blocks the accessing thread: the first thread to want a page asks the
 * source for it, every thread that wants it waits until the loader has placed it. Only the
 * block's methods wait; raw access through {@link RamBlock#segment()} cannot (see
 * docs/postcopy.md).
 *
 * <p>A page is marked received only after its bytes are in place, with an atomic OR; a waiter
 * that sees the mark sees the bytes.
 */
public final class IncomingPages {
    /** Asks the source for a page (one REQ_PAGES per contiguous run of missing pages). */
    @FunctionalInterface
    public interface Requester {
        void request(RamBlock block, long firstPage, long pages) throws IOException;
    }

    /** Hears each wait, for the latency figures; called on the waiting thread. */
    public interface WaitListener {
        void waitBegan();

        void waitEnded(long nanos);
    }

    private static final WaitListener NO_LISTENER = new WaitListener() {
        @Override
        public void waitBegan() {}

        @Override
        public void waitEnded(long nanos) {}
    };

    private final RamBlock block;
    private final AtomicBitSet received;
    private final ConcurrentHashMap<Long, CompletableFuture<Void>> wanted = new ConcurrentHashMap<>();
    private volatile Requester requester;
    private volatile WaitListener listener = NO_LISTENER;
    private volatile boolean listening; // after POSTCOPY_LISTEN: missing pages are waited for
    private volatile String lost;       // why post-copy ended before the pages came
    private final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();

    IncomingPages(RamBlock block) {
        this.block = block;
        this.received = new AtomicBitSet(block.pages());
    }

    public RamBlock block() {
        return block;
    }

    /** From now on accesses to missing pages wait; {@code r} asks the source for them. */
    public void listen(Requester r, WaitListener l) {
        requester = r;
        listener = l != null ? l : NO_LISTENER;
        listening = true;
    }

    public boolean listening() {
        return listening;
    }

    public boolean received(long page) {
        return received.isMarked(page);
    }

    /** The loader placed the page: mark it and release whoever waits for it. */
    public void markReceived(long page) {
        received.mark(page);
        if (!wanted.isEmpty()) {
            CompletableFuture<Void> f = wanted.remove(page);
            if (f != null) {
                f.complete(null);
            }
        }
    }

    /** Pages {@code [from, to)} are stale here (POSTCOPY_RAM_DISCARD): they must come again. */
    void discard(long from, long to) {
        for (long p = from; p < to; p++) {
            received.clear(p);
        }
    }

    /**
     * Post-copy: once the destination listens, a page of {@code block} that has arrived is never
     * overwritten, since the running machine may have written it (QEMU's UFFDIO_COPY fails on a
     * present page alike); the copy is counted and dropped.
     */
    static boolean alreadyHere(RamBlock block, long page) {
        IncomingPages inc = block.incoming();
        if (inc != null && inc.listening && inc.received.isMarked(page)) {
            inc.dropped.incrementAndGet();
            return true;
        }
        return false;
    }

    /** The page's bytes are in place: mark it received, which releases whoever waits for it. */
    static void arrived(RamBlock block, long page) {
        IncomingPages inc = block.incoming();
        if (inc != null) {
            inc.markReceived(page);
        }
    }

    /** Copies of pages that had already arrived, dropped: none when the source sends each page once. */
    public long droppedCopies() {
        return dropped.get();
    }

    /** How many pages have arrived. */
    public long receivedPages() {
        return received.count();
    }

    /** The received bitmap's words, as they are now (RECV_BITMAP). */
    public long[] receivedWords() {
        return received.snapshot();
    }

    /** Waits until {@code page} has arrived, asking the source for it if nobody has. */
    void await(long page) {
        if (listening && !received.isMarked(page)) {
            awaitRange(page, page + 1);
        }
    }

    /**
     * Waits until pages {@code [from, to)} have all arrived; asks for the missing ones first, one
     * request per run, so a bulk reader waits about one round trip, not one per page.
     */
    void awaitRange(long from, long to) {
        if (!listening) {
            return;
        }
        long runStart = -1;
        for (long p = from; p <= to; p++) {
            boolean ask = p < to && claim(p);
            if (ask && runStart < 0) {
                runStart = p;
            } else if (!ask && runStart >= 0) {
                request(runStart, p);
                runStart = -1;
            }
        }
        for (long p = from; p < to; p++) {
            waitFor(p);
        }
    }

    /**
     * True when the caller is the first to want missing page {@code p} and must ask for it. The
     * loader marks a page before it releases its waiters, so a wait registered after the release
     * sees the mark on the second look and is dropped.
     */
    private boolean claim(long p) {
        if (received.isMarked(p)) {
            return false;
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (wanted.putIfAbsent(p, f) != null) {
            return false; // someone asked already
        }
        if (received.isMarked(p)) {
            wanted.remove(p, f);
            f.complete(null);
            return false;
        }
        return true;
    }

    private void request(long from, long to) {
        try {
            requester.request(block, from, to - from);
        } catch (IOException e) {
            // the connection broke: the migration fails or pauses, and says so to the waiters
        }
    }

    private void waitFor(long page) {
        while (!received.isMarked(page)) {
            String why = lost;
            if (why != null) {
                throw new IllegalStateException(String.format("page 0x%x of RAM block '%s' never arrived: %s",
                        page << PAGE_SHIFT, block.name(), why));
            }
            CompletableFuture<Void> f = wanted.get(page);
            if (f == null) {
                if (claim(page)) {
                    request(page, page + 1);
                }
                continue;
            }
            long start = System.nanoTime();
            listener.waitBegan();
            f.join();
            listener.waitEnded(System.nanoTime() - start);
        }
    }

    /** Asks again for every page some access waits for (post-copy resumed: requests may have been lost). */
    public void askAgain() {
        for (Long p : wanted.keySet()) {
            if (!received.isMarked(p)) {
                request(p, p + 1);
            }
        }
    }

    /** Post-copy failed: every wait ends, and the accesses that wanted a missing page throw. */
    public void lose(String why) {
        lost = why;
        for (CompletableFuture<Void> f : wanted.values()) {
            f.complete(null);
        }
    }
}

package io.godwit.ram;

import static io.godwit.ram.RamBlock.PAGE_SHIFT;
import static io.godwit.ram.RamBlock.PAGE_SIZE;

import io.godwit.stats.Counter;
import io.godwit.stats.MigrationCounters;
import java.io.IOException;
import java.util.Map;
import java.util.function.Predicate;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pages the destination asked for during post-copy (QEMU ram.c ram_save_queue_pages): the
 * source's return-path thread checks and adds requests, the migration thread takes them and sends
 * those pages before any other. Bounded: a destination that asks for more than
 * {@link #MAX_PENDING} requests at once fails the migration.
 */
public final class PageRequestQueue {
    /** Far more than a destination's accessing threads can have outstanding. */
    public static final int MAX_PENDING = 1 << 16;

    /** {@code pages} pages from {@code firstPage} of {@code block}. */
    public record Request(RamBlock block, long firstPage, long pages) {}

    private final Map<String, RamBlock> blocks;
    private final MigrationCounters counters;
    private final Runnable onRequest;
    private final Predicate<Request> direct;
    private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private volatile RamBlock last; // REQ_PAGES means "the previous block"; one return-path thread at a time

    /** @param onRequest runs after each request is queued (it wakes the migration thread) */
    PageRequestQueue(Map<String, RamBlock> blocks, MigrationCounters counters, Runnable onRequest) {
        this(blocks, counters, onRequest, r -> false);
    }

    /** @param direct sends a checked request at once if it can (postcopy-preempt); false queues it */
    PageRequestQueue(Map<String, RamBlock> blocks, MigrationCounters counters, Runnable onRequest,
            Predicate<Request> direct) {
        this.direct = direct;
        this.blocks = Map.copyOf(blocks);
        this.counters = counters;
        this.onRequest = onRequest;
    }

    /**
     * Checks and queues a request, as QEMU's migrate_handle_rp_req_pages does: whole pages, a
     * known block (or a previous one when {@code blockOrNull} is null), within the block.
     *
     * @param length in bytes, unsigned
     */
    public void add(String blockOrNull, long start, int length) throws IOException {
        long len = Integer.toUnsignedLong(length);
        if ((start & (PAGE_SIZE - 1)) != 0 || (len & (PAGE_SIZE - 1)) != 0) {
            throw new IOException(String.format("MIG_RP_MSG_REQ_PAGES: Misaligned page request, start: %x len: %d",
                    start, len));
        }
        RamBlock b;
        if (blockOrNull == null) {
            b = last;
            if (b == null) {
                throw new IOException("MIG_RP_MSG_REQ_PAGES has no previous block");
            }
        } else {
            b = blocks.get(blockOrNull);
            if (b == null) {
                throw new IOException("MIG_RP_MSG_REQ_PAGES has no block '" + blockOrNull + "'");
            }
            last = b;
        }
        if (start < 0 || len == 0 || start + len > b.size()) {
            throw new IOException(String.format("MIG_RP_MSG_REQ_PAGES request overrun, start=%x len=%x blocklen=%x",
                    start, len, b.size()));
        }
        Request r = new Request(b, start >>> PAGE_SHIFT, len >>> PAGE_SHIFT);
        counters.add(Counter.POSTCOPY_REQUESTS, 1);
        if (direct.test(r)) {
            return;
        }
        if (size.incrementAndGet() > MAX_PENDING) {
            size.decrementAndGet();
            throw new IOException("MIG_RP_MSG_REQ_PAGES: more than " + MAX_PENDING + " requests outstanding");
        }
        queue.add(r);
        onRequest.run();
    }

    /** A new connection (post-copy resumed): its first request must name its block. */
    public void forgetLastBlock() {
        last = null;
    }

    /** The oldest request, or null. */
    Request poll() {
        Request r = queue.poll();
        if (r != null) {
            size.decrementAndGet();
        }
        return r;
    }

    /** True while a request waits: the rate limit does not hold it back. */
    public boolean hasRequests() {
        return !queue.isEmpty();
    }
}

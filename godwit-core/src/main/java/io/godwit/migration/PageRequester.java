package io.godwit.migration;

import io.godwit.ram.RamBlock;
import io.godwit.stream.PageRequest;
import io.godwit.stream.ReturnPathWriter;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Sends the destination's page requests on the return path (migration.c
 * migrate_send_rp_message_req_pages): REQ_PAGES_ID naming the block when it differs from the
 * previous request's, REQ_PAGES otherwise. Any thread that wants a page calls it; choosing the
 * message and sending it happen under one lock, so "the previous block" is the one on the wire.
 */
final class PageRequester {
    private final Supplier<ReturnPathWriter> returnPath;
    private final AtomicLong requests = new AtomicLong();
    private RamBlock last; // guarded by this

    PageRequester(Supplier<ReturnPathWriter> returnPath) {
        this.returnPath = returnPath;
    }

    synchronized void request(RamBlock block, long firstPage, long pages) throws IOException {
        ReturnPathWriter rp = returnPath.get();
        if (rp == null) {
            throw new IOException("a page is missing but there is no return path to ask for it");
        }
        long bytes = pages << RamBlock.PAGE_SHIFT;
        for (long done = 0; done < bytes; ) { // a request carries a be32 length
            int n = (int) Math.min(bytes - done, 1L << 30);
            long start = (firstPage << RamBlock.PAGE_SHIFT) + done;
            rp.send(new PageRequest(block == last ? null : block.name(), start, n).toMessage());
            last = block;
            requests.incrementAndGet();
            done += n;
        }
    }

    /** A new connection (post-copy resumed): its first request names its block. */
    synchronized void forgetLastBlock() {
        last = null;
    }

    /** Request messages sent so far. */
    long requests() {
        return requests.get();
    }
}

package io.godwit.ram;

import static io.godwit.ram.RamBlock.PAGE_SHIFT;
import static io.godwit.ram.RamBlock.PAGE_SIZE;
import static io.godwit.stream.StreamConstants.RAM_FLAG_CONTINUE;
import static io.godwit.stream.StreamConstants.RAM_FLAG_EOS;
import static io.godwit.stream.StreamConstants.RAM_FLAG_PAGE;
import static io.godwit.stream.StreamConstants.RAM_FLAG_ZERO;

import io.godwit.stats.Counter;
import io.godwit.stats.MigrationCounters;
import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The source's postcopy-preempt channel (QEMU ram.c with RAM_CHANNEL_POSTCOPY, 8.0+ sending from the
 * return-path thread): a requested page that has not gone yet is taken off what is left to send and
 * written here at once, as a plain RAM page record with the channel's own CONTINUE state, then the
 * channel is flushed. So the page waits neither for the migration thread, which may be blocked
 * writing the main stream, nor behind the background pages already in that stream's buffers.
 */
final class PreemptSender {
    /** RAM's to-send bitmaps, shared with the migration thread. */
    interface Pages {
        /** Takes the page off what is left to send; false if it has gone already. */
        boolean take(RamBlock b, long page);

        /** The page was not sent after all: it is left to send again. */
        void putBack(RamBlock b, long page);

        /** The guest gave the page up: it is sent as a zero page. */
        boolean unused(RamBlock b, long page);
    }

    private final Pages pages;
    private final ReentrantLock lock = new ReentrantLock(); // one writer: a request's pages, or the EOS
    private StreamOutput out; // guarded by lock; null without the channel
    private RamBlock last; // guarded by lock
    private final AtomicLong sent = new AtomicLong();
    private volatile IOException broken;

    PreemptSender(Pages pages) {
        this.pages = pages;
    }

    /** The channel to write to from now on; null: none (requests are queued for the main stream). */
    void channel(StreamOutput next) {
        lock.lock();
        try {
            out = next;
            last = null;
            broken = null;
        } finally {
            lock.unlock();
        }
    }

    /** EOS and a flush (postcopy_preempt_shutdown_file); the channel is done. */
    void end() throws IOException {
        lock.lock();
        try {
            StreamOutput o = out;
            out = null; // a later request finds no page left; it is queued, and nothing is sent
            if (o != null) {
                o.putBe64(RAM_FLAG_EOS);
                o.flush();
            }
        } finally {
            lock.unlock();
        }
    }

    IOException broken() {
        return broken;
    }

    long pagesSent() {
        return sent.get();
    }

    /**
     * On the return-path thread: sends a checked request's pages that have not gone yet. False when
     * there is no channel, or it broke now: the request is then queued for the migration thread, and
     * the pages taken here are left to send again (the destination skips any that did arrive).
     */
    boolean send(PageRequestQueue.Request r, MigrationCounters counters) {
        lock.lock();
        try {
            StreamOutput o = out;
            if (o == null) {
                return false;
            }
            List<Long> taken = new ArrayList<>();
            try {
                long end = r.firstPage() + r.pages();
                for (long p = r.firstPage(); p < end; p++) {
                    if (pages.take(r.block(), p)) {
                        taken.add(p);
                        write(o, r.block(), p, counters);
                    }
                }
                o.flush();
                return true;
            } catch (IOException e) {
                taken.forEach(p -> pages.putBack(r.block(), p));
                broken = e;
                out = null;
                return false;
            }
        } finally {
            lock.unlock();
        }
    }

    /** One page. The dirty tracker is not told of it: no sync follows the switch. */
    private void write(StreamOutput o, RamBlock block, long page, MigrationCounters counters) throws IOException {
        long offset = page << PAGE_SHIFT;
        boolean unused = pages.unused(block, page);
        boolean zero = unused || !block.mayBeNonZero(page) || ZeroPages.isZero(block.segment(), offset);
        long flags = zero ? RAM_FLAG_ZERO : RAM_FLAG_PAGE;
        if (block == last) {
            o.putBe64(offset | flags | RAM_FLAG_CONTINUE);
        } else {
            o.putBe64(offset | flags);
            o.putString8(block.name());
            last = block;
        }
        if (zero) {
            o.put8(0);
        } else {
            o.putSegment(block.segment(), offset, PAGE_SIZE);
        }
        counters.add(unused ? Counter.SKIPPED_PAGES : zero ? Counter.ZERO_PAGES : Counter.NORMAL_PAGES, 1);
        sent.incrementAndGet();
    }
}

package io.godwit.ram;

import static io.godwit.ram.RamBlock.PAGE_SHIFT;
import static io.godwit.ram.RamBlock.PAGE_SIZE;
import static io.godwit.stream.StreamConstants.RAM_FLAG_CONTINUE;
import static io.godwit.stream.StreamConstants.RAM_FLAG_PAGE;
import static io.godwit.stream.StreamConstants.RAM_FLAG_XBZRLE;
import static io.godwit.stream.StreamConstants.RAM_FLAG_ZERO;
import static io.godwit.stream.StreamConstants.XBZRLE_ENCODING;

import io.godwit.savevm.SaveContext;
import io.godwit.stats.Counter;
import io.godwit.stats.MigrationCounters;
import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * Sends one page of the main stream: a PAGE record, a ZERO record when it is zero or unused, an
 * XBZRLE delta (capability xbzrle), or a hand-off to the multifd channels. Keeps the block the last
 * record named (the next one in it says CONTINUE) and counts the pages sent by kind until the
 * counters are flushed. Used by the migration thread only.
 */
final class PageSender {
    private final Supplier<RamHandler.UnusedPages> unusedPages;
    private final MemorySegment sentCopy = java.lang.foreign.Arena.ofAuto().allocate(PAGE_SIZE, 64);
    private SaveContext save;
    private RamChannels.Sender channels; // multifd: pages go there, not in PAGE records
    private XbzrleSender xbzrle; // capability xbzrle: pages may go as deltas
    private boolean postcopy;
    private RamBlock lastSent;
    private long normalPages;
    private long zeroPages;
    private long skippedPages;

    PageSender(Supplier<RamHandler.UnusedPages> unusedPages) {
        this.unusedPages = unusedPages;
    }

    /** The migration's setup: where zero records for multifd go, the channels and the xbzrle cache. */
    void start(SaveContext ctx, RamChannels.Sender channels, XbzrleSender xbzrle) {
        this.save = ctx;
        this.channels = channels;
        this.xbzrle = xbzrle;
        // a node migrates again (back and forth): nothing of the last migration carries over
        postcopy = false;
        normalPages = 0;
        zeroPages = 0;
        skippedPages = 0;
    }

    /** saveCleanup: no channels, no cache, no block named. */
    void stop() {
        lastSent = null;
        channels = null;
        xbzrle = null;
    }

    /** Post-copy: from now on every page goes whole. */
    void postcopyStarted() {
        postcopy = true;
    }

    /** The next record names its block again (a new section, or a new start of the scan). */
    void nameNextBlock() {
        lastSent = null;
    }

    /** Adds the pages sent since the last flush to the counters. */
    void flushCounters(MigrationCounters c) {
        c.add(Counter.NORMAL_PAGES, normalPages);
        c.add(Counter.ZERO_PAGES, zeroPages);
        c.add(Counter.SKIPPED_PAGES, skippedPages);
        normalPages = 0;
        zeroPages = 0;
        skippedPages = 0;
    }

    void send(StreamOutput out, RamBlock block, long page) throws IOException {
        long offset = page << PAGE_SHIFT;
        MemorySegment seg = block.segment();
        RamHandler.UnusedPages u = unusedPages.get();
        DirtyTracker tracker = block.tracker();
        boolean tell = tracker.wantsSentPages();
        if (channels != null) {
            sendToChannels(block, page, u != null && u.unused(block, page));
            return;
        }
        XbzrleSender x = postcopy ? null : xbzrle; // requested pages, and all in post-copy, go whole
        if (u != null && u.unused(block, page)) {
            header(out, block, offset, RAM_FLAG_ZERO); // the guest gave it up: it reads as zero there
            out.put8(0);
            skippedPages++;
        } else if (!block.mayBeNonZero(page) || ZeroPages.isZero(seg, offset)) {
            header(out, block, offset, RAM_FLAG_ZERO);
            out.put8(0);
            zeroPages++;
        } else if (x != null && x.started()) {
            sendThroughCache(out, x, block, page);
            return;
        } else {
            header(out, block, offset, RAM_FLAG_PAGE);
            if (tell) { // the tracker hears of the very bytes that go out, not a later read of the page
                MemorySegment.copy(seg, offset, sentCopy, 0, PAGE_SIZE);
                out.putSegment(sentCopy, 0, PAGE_SIZE);
                tracker.sent(block, page, sentCopy);
            } else {
                out.putSegment(seg, offset, PAGE_SIZE);
            }
            normalPages++;
            return;
        }
        if (x != null) {
            x.zeroPageSent(block, page); // a later delta must start from zero, as the destination does
        }
        if (tell) {
            tracker.sent(block, page, ZeroPages.page());
        }
    }

    /** Capability xbzrle: a delta against the page as last sent, nothing if unchanged, or the page whole. */
    private void sendThroughCache(StreamOutput out, XbzrleSender x, RamBlock block, long page) throws IOException {
        long offset = page << PAGE_SHIFT;
        switch (x.encode(block, page)) {
            case DELTA -> {
                long before = out.bytesWritten();
                header(out, block, offset, RAM_FLAG_XBZRLE);
                out.put8(XBZRLE_ENCODING);
                out.putBe16(x.encodedLength());
                out.putBytes(x.encoded(), 0, x.encodedLength());
                x.deltaSent(out.bytesWritten() - before);
            }
            case UNCHANGED -> { } // the destination has these bytes already
            case WHOLE -> {
                header(out, block, offset, RAM_FLAG_PAGE);
                out.putBytes(x.current(), 0, PAGE_SIZE);
                normalPages++;
            }
        }
        if (block.tracker().wantsSentPages()) {
            block.tracker().sent(block, page, MemorySegment.ofArray(x.current()));
        }
    }

    /** Multifd: the page goes to a channel; a zero page too, or as a ZERO record here (legacy detection). */
    private void sendToChannels(RamBlock block, long page, boolean unused) throws IOException {
        long offset = page << PAGE_SHIFT;
        boolean zero = unused || !channels.sendsZeroPagesAsData()
                && (!block.mayBeNonZero(page) || ZeroPages.isZero(block.segment(), offset));
        MemorySegment sent;
        if (zero && !channels.carriesZeroPages()) {
            header(save.out(), block, offset, RAM_FLAG_ZERO);
            save.out().put8(0);
            sent = ZeroPages.page();
        } else {
            sent = channels.queue(block, offset, zero ? null : block.segment().asSlice(offset, PAGE_SIZE));
        }
        if (unused) {
            skippedPages++;
        } else if (zero) {
            zeroPages++;
        } else {
            normalPages++;
        }
        if (block.tracker().wantsSentPages()) {
            block.tracker().sent(block, page, sent);
        }
    }

    private void header(StreamOutput out, RamBlock block, long offset, long flags) throws IOException {
        if (block == lastSent) {
            out.putBe64(offset | flags | RAM_FLAG_CONTINUE);
        } else {
            out.putBe64(offset | flags);
            out.putString8(block.name());
            lastSent = block;
        }
    }
}

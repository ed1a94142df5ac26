package io.godwit.ram;

import static io.godwit.ram.RamBlock.PAGE_SIZE;
import static io.godwit.stream.StreamConstants.*;

import io.godwit.options.Capability;
import io.godwit.savevm.LoadContext;
import io.godwit.savevm.Pending;
import io.godwit.savevm.SaveContext;
import io.godwit.savevm.SaveVmHandler;
import io.godwit.stats.Counter;
import io.godwit.stats.MigrationCounters;
import io.godwit.stream.Command;
import io.godwit.stream.MigrationStreamWriter;
import io.godwit.stream.RamDiscard;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Migrates RAM blocks in QEMU's "ram" section, version 4 (migration/ram.c). The source keeps a
 * migration bitmap per block ({@link PagesToSend}): all pages at setup (the bulk pass), then what
 * each sync ({@link DirtySync}) takes from the writers' dirty bitmaps. Pages go out as PAGE records,
 * or ZERO records when they are zero ({@link PageSender}). {@link RamRecordReader} has the record
 * layout; {@link RamLoader} reads the records for the destination.
 */
public final class RamHandler implements SaveVmHandler {
    public static final int VERSION = RAM_VERSION;
    /** An iteration gives the loop back control at least this often (QEMU's MAX_WAIT, 50 ms). */
    static final long MAX_ITERATE_NANOS = 50_000_000L;

    private final Supplier<List<RamBlock>> blocks;
    private volatile UnusedPages unusedPages;

    /** Says which pages the guest does not use (storage attributes): they are sent as zero, unread. */
    @FunctionalInterface
    public interface UnusedPages {
        boolean unused(RamBlock block, long page);
    }

    // Source state: owned by the migration thread between saveSetup and saveCleanup.
    private SaveContext save;
    private RamBlock[] saving;
    private final PagesToSend pages = new PagesToSend(this::roundEnd);
    private DirtySync sync;
    private final PageSender sender = new PageSender(() -> unusedPages);
    private RamChannels.Sender channels; // multifd: pages go there, not in PAGE records
    private XbzrleSender xbzrle; // capability xbzrle: pages may go as deltas
    private volatile XbzrleSender nextXbzrle;

    private volatile RamChannels.Sender nextSender;

    // Post-copy, source: set at the switch by the migration thread; the return-path thread adds requests.
    private volatile PageRequestQueue requests;
    private boolean postcopy;
    // postcopy-preempt, source: the return-path thread takes requested pages too (PreemptSender)
    private final PreemptSender preempt = new PreemptSender(new PreemptSender.Pages() {
        @Override
        public boolean take(RamBlock b, long page) {
            return pages.take(List.of(saving).indexOf(b), page);
        }

        @Override
        public void putBack(RamBlock b, long page) {
            pages.putBack(List.of(saving).indexOf(b), page);
        }

        @Override
        public boolean unused(RamBlock b, long page) {
            UnusedPages u = unusedPages;
            return u != null && u.unused(b, page);
        }
    });

    private final RamLoader loader;

    public RamHandler(Supplier<List<RamBlock>> blocks) {
        this.blocks = blocks;
        this.loader = new RamLoader(blocks);
    }

    @Override
    public boolean isActive() {
        return !blocks.get().isEmpty();
    }

    /** RAM follows the switch when post-copy is on (QEMU's ram_has_postcopy). */
    @Override
    public boolean hasPostcopy() {
        SaveContext s = save;
        return s != null && s.capabilities().has(Capability.POSTCOPY_RAM);
    }

    /**
     * Creates the RAM blocks a source has and this side lacks (a machine that takes the source's
     * layout); throws IllegalArgumentException for a block it refuses.
     */
    @FunctionalInterface
    public interface BlockAdopter {
        RamBlock adopt(String name, long length);
    }

    /** With an adopter, unknown blocks in the MEM_SIZE record are created instead of refused. */
    public void setBlockAdopter(BlockAdopter a) {
        loader.setBlockAdopter(a);
    }

    public void setUnusedPages(UnusedPages u) {
        this.unusedPages = u;
    }

    /** Multifd on the source: the next saveSetup hands pages to {@code s}; null: the main stream only. */
    public void setSendChannels(RamChannels.Sender s) {
        this.nextSender = s;
    }

    /** Capability xbzrle on the source: the next saveSetup encodes pages with {@code x}; null: never. */
    public void setXbzrle(XbzrleSender x) {
        this.nextXbzrle = x;
    }

    /** Multifd on the destination: sync points of the main stream go to {@code r}; null: none. */
    public void setReceiveChannels(RamChannels.Receiver r) {
        loader.setReceiveChannels(r);
    }

    // ---------------------------------------------------------------- source

    @Override
    public void saveSetup(SaveContext ctx) throws IOException {
        save = ctx;
        postcopy = false; // a node that was a post-copy source before migrates in pre-copy again
        requests = null;
        channels = nextSender;
        saving = blocks.get().toArray(RamBlock[]::new);
        xbzrle = channels == null ? nextXbzrle : null; // multifd pages never go as deltas
        if (xbzrle != null) {
            xbzrle.setup(saving);
        }
        sender.start(ctx, channels, xbzrle);
        long total = 0;
        for (RamBlock b : saving) {
            b.tracker().start(b); // before the bulk pass reads: no write is missed
            total += b.size();
        }
        pages.start(saving);
        ctx.counters().set(Counter.RAM_TOTAL, total);
        sync = new DirtySync(ctx, saving, pages, xbzrle);
        sync.first();

        StreamOutput out = ctx.out();
        out.putBe64(total | RAM_FLAG_MEM_SIZE);
        for (RamBlock b : saving) {
            out.putString8(b.name());
            out.putBe64(b.size());
        }
        if (channels != null) {
            channels.setupEnd(out);
        }
        endSection(out);
    }

    /** The scan wrapped around to the first block (called under the to-send bitmaps' lock). */
    private void roundEnd(StreamOutput out) throws IOException {
        if (channels != null) {
            channels.roundEnd(out); // a page sent again now must not overtake its older copy
        }
        if (xbzrle != null) {
            xbzrle.roundDone(); // QEMU: xbzrle starts once a round over memory is complete
        }
    }

    @Override
    public void pendingEstimate(long thresholdSize, Pending pending) {
        report(pending);
    }

    @Override
    public void pendingExact(long thresholdSize, Pending pending) {
        sync.sync();
        report(pending);
    }

    private void report(Pending pending) {
        long remaining = pages.remaining() * PAGE_SIZE;
        if (save.capabilities().has(Capability.POSTCOPY_RAM)) {
            pending.addCanPostcopy(remaining);
        } else {
            pending.addMustPrecopy(remaining);
        }
    }

    @Override
    public boolean saveLiveIterate(SaveContext ctx) throws IOException {
        StreamOutput out = ctx.out();
        sender.nameNextBlock(); // each section names its first block again
        long start = ctx.clock().nanoTime();
        boolean done = false;
        int i = 0;
        try { // the counters stay exact even when the link breaks mid-section
            while (true) {
                PageRequestQueue.Request r = postcopy ? requests.poll() : null;
                if (r != null) {
                    sendRequested(out, r); // urgent: the rate limit does not apply
                    continue;
                }
                if (ctx.rateLimitExceeded()) {
                    break;
                }
                if (!sendNextDirtyPage(out)) {
                    done = true;
                    break;
                }
                if ((i++ & 63) == 0 && ctx.clock().nanoTime() - start > MAX_ITERATE_NANOS) {
                    break;
                }
            }
        } finally {
            flushCounters();
        }
        if (channels != null) {
            channels.iterationEnd(out);
        }
        endSection(out);
        return done;
    }

    @Override
    public void saveLiveCompletePrecopy(SaveContext ctx) throws IOException {
        StreamOutput out = ctx.out();
        sender.nameNextBlock();
        if (xbzrle != null) {
            xbzrle.lastStage();
        }
        sync.sync(); // the final pass, with writers stopped
        while (sendNextDirtyPage(out)) {
            // everything left goes now, rate limit or not
        }
        flushCounters();
        if (channels != null) {
            channels.completeEnd(out);
        }
        endSection(out);
    }

    private void endSection(StreamOutput out) throws IOException {
        out.putBe64(RAM_FLAG_EOS);
        if (channels != null) {
            out.flush(); // the destination's channels wait at this sync point until the main stream reaches it
        }
    }

    /** Finds the next dirty page from the cursor, wrapping around blocks, and sends it. */
    private boolean sendNextDirtyPage(StreamOutput out) throws IOException {
        long page = pages.next(out);
        if (page < 0) {
            return false;
        }
        sender.send(out, saving[pages.cursorBlock()], page); // outside the lock: a write may block on the link
        return true;
    }

    private void flushCounters() {
        MigrationCounters c = save.counters();
        sender.flushCounters(c);
        c.set(Counter.RAM_REMAINING, pages.remaining() * PAGE_SIZE);
    }

    @Override
    public void saveCleanup() {
        if (saving != null) {
            for (RamBlock b : saving) {
                b.tracker().stop(b);
            }
        }
        pages.clear();
        saving = null;
        sender.stop();
        channels = null;
        xbzrle = null;
    }

    // ------------------------------------------------------------ post-copy, source

    /**
     * The switch to post-copy, the source stopped (ram.c ram_postcopy_send_discard_bitmap): the
     * last sync, then a discard for every run of pages still to send, since the destination may
     * hold stale copies of them. From now on requested pages go first; the queue that takes the
     * requests is returned for the return path.
     *
     * @param onRequest runs on the return-path thread after each request is queued
     */
    public PageRequestQueue startPostcopy(MigrationStreamWriter w, Runnable onRequest) throws IOException {
        sync.sync();
        Map<String, RamBlock> byBlock = new LinkedHashMap<>();
        for (int i = 0; i < saving.length; i++) {
            byBlock.put(saving[i].name(), saving[i]);
            List<RamDiscard.Range> ranges = DiscardRanges.of(pages.bitmap(i), saving[i].pages());
            for (Command c : RamDiscard.commands(saving[i].name(), ranges)) {
                w.command(c);
            }
        }
        pages.rewind();
        sender.nameNextBlock();
        postcopy = true;
        sender.postcopyStarted();
        PageRequestQueue q = new PageRequestQueue(byBlock, save.counters(), onRequest, r -> preempt.send(r, save.counters()));
        requests = q;
        return q;
    }

    /** The blocks being migrated (post-copy recovery asks the destination what it has of each). */
    public List<RamBlock> savingBlocks() {
        return List.of(saving);
    }

    /**
     * Resuming post-copy (ram.c ram_dirty_bitmap_reload): what is left to send in {@code block} is
     * every page the destination has not received, whatever this side thought it had sent.
     */
    public void reloadFromReceived(RamBlock block, long[] received) {
        pages.reload(List.of(saving).indexOf(block), block.pages(), received);
        sender.nameNextBlock();
    }

    /** Sends the requested pages not sent yet, and goes on scanning right after them (locality). */
    private void sendRequested(StreamOutput out, PageRequestQueue.Request r) throws IOException {
        int b = 0;
        while (saving[b] != r.block()) {
            b++;
        }
        long end = r.firstPage() + r.pages();
        for (long p = r.firstPage(); p < end; p++) {
            if (pages.take(b, p)) {
                sender.send(out, r.block(), p);
            }
        }
        pages.moveCursor(b, end);
    }

    /**
     * postcopy-preempt (QEMU's RAM_CHANNEL_POSTCOPY): requested pages go on {@code out}, a channel
     * of their own, sent by the return-path thread; null queues them for the main stream again.
     */
    public void preemptChannel(StreamOutput out) {
        preempt.channel(out);
    }

    /** The end of post-copy on the preempt channel (postcopy_preempt_shutdown_file): EOS. */
    public void endPreempt() throws IOException {
        preempt.end();
    }

    /** Why a write on the preempt channel failed (the link is broken: post-copy pauses), or null. */
    public IOException preemptBroken() {
        return preempt.broken();
    }

    /** Page records sent on the preempt channel so far. */
    public long preemptPagesSent() {
        return preempt.pagesSent();
    }

    /** Destination: page records that arrived on the preempt channel so far. */
    public long preemptPagesLoaded() {
        return loader.preemptPagesLoaded();
    }

    /** The END section in post-copy: whatever has not gone yet, with no further sync. */
    @Override
    public void saveLiveCompletePostcopy(SaveContext ctx) throws IOException {
        StreamOutput out = ctx.out();
        sender.nameNextBlock();
        while (sendNextDirtyPage(out)) {
            // the source is stopped: nothing new becomes dirty
        }
        flushCounters();
        out.putBe64(RAM_FLAG_EOS);
    }

    // ----------------------------------------------------------- destination

    @Override
    public void loadSetup(LoadContext ctx) {
        loader.setup();
    }

    @Override
    public void loadState(LoadContext ctx, int versionId) throws IOException {
        loader.load(ctx, versionId);
    }

    /**
     * The destination's preempt channel (QEMU ram_load_postcopy on RAM_CHANNEL_POSTCOPY): page
     * and zero-page records, with a CONTINUE state of their own, until EOS. Anything else is refused.
     */
    public void loadPreempt(StreamInput in) throws IOException {
        loader.loadPreempt(in);
    }

    /** POSTCOPY_ADVISE: from now on every page that arrives is marked received, in every block. */
    public void trackIncoming() {
        loader.trackIncoming();
    }

    /**
     * POSTCOPY_RAM_DISCARD: the ranges are stale here (ram.c ram_discard_range); they must arrive
     * again before the machine may touch them.
     */
    public void discard(RamDiscard d, long at) throws StreamFormatException {
        loader.discard(d, at);
    }

    @Override
    public void loadCleanup() {
        loader.cleanup();
    }
}

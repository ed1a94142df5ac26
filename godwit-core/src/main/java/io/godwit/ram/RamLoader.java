package io.godwit.ram;

import static io.godwit.ram.RamBlock.PAGE_SHIFT;
import static io.godwit.ram.RamBlock.PAGE_SIZE;
import static io.godwit.stream.StreamConstants.isKeepableName;

import io.godwit.savevm.LoadContext;
import io.godwit.stream.NamedTargets;
import io.godwit.stream.RamDiscard;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The destination of the "ram" section: reads its records ({@link RamRecordReader}) and puts the
 * pages into the blocks, checks the MEM_SIZE block list against the blocks here (or adopts the
 * source's), and in post-copy marks every page that arrives as received, once, on both channels.
 */
final class RamLoader {
    private final Supplier<List<RamBlock>> blocks;
    private volatile RamHandler.BlockAdopter adopter;
    private volatile RamChannels.Receiver receiver;
    private volatile long preemptPagesLoaded; // written by the preempt thread only

    // Owned by the thread that loads (the incoming thread, then in post-copy the listen thread,
    // which takes the stream over at POSTCOPY_LISTEN).
    private Map<String, RamBlock> byName;
    private RamRecordReader<RamBlock> reader;
    private volatile boolean tracking; // post-copy was advised: every arriving page is marked received
    private final ReentrantLock placing = new ReentrantLock();
    private final MemorySegment loadScratch = java.lang.foreign.Arena.ofAuto().allocate(PAGE_SIZE, 64);

    RamLoader(Supplier<List<RamBlock>> blocks) {
        this.blocks = blocks;
    }

    void setBlockAdopter(RamHandler.BlockAdopter a) {
        this.adopter = a;
    }

    void setReceiveChannels(RamChannels.Receiver r) {
        this.receiver = r;
    }

    long preemptPagesLoaded() {
        return preemptPagesLoaded;
    }

    void setup() {
        tracking = false;
        byName = new LinkedHashMap<>();
        for (RamBlock b : blocks.get()) {
            byName.put(b.name(), b);
        }
        Map<String, RamBlock> here = byName; // grows with the blocks an adopter makes
        reader = new RamRecordReader<>(PAGE_SIZE, RamRecordReader.Accepts.LOADABLE_XBZRLE, new NamedTargets<>(here::get,
                RamBlock::name, RamBlock::size, name -> "unknown RAM block '" + name + "': expected one of "
                        + here.keySet()));
    }

    void load(LoadContext ctx, int versionId) throws IOException {
        StreamInput in = ctx.in();
        RamRecordReader.checkVersion(versionId, in.position());
        while (true) {
            switch (reader.next(in)) {
                case RamRecord.Page<RamBlock> p -> loadPage(in, p.block(), p.offset(), loadScratch);
                case RamRecord.Zero<RamBlock> z -> loadZeroPage(z.block(), z.offset());
                case RamRecord.ListedBlock<RamBlock> b -> listed(b);
                case RamRecord.MemSize<RamBlock> m -> { }
                case RamRecord.MultifdFlush<RamBlock> f -> {
                    RamChannels.Receiver r = receiver;
                    if (r != null) {
                        r.flushRecord(); // what the channels sent before it lands before what follows
                    }
                }
                case RamRecord.Eos<RamBlock> e -> {
                    RamChannels.Receiver r = receiver;
                    if (r != null) {
                        r.endOfSection();
                    }
                    return;
                }
                case RamRecord.Xbzrle<RamBlock> x -> loadXbzrle(x.block(), x.offset(), x.delta());
                case RamRecord.Compressed<RamBlock> c -> throw new IllegalStateException(
                        "COMPRESS_PAGE from a LOADABLE reader");
            }
        }
    }

    /**
     * A page's bytes; in post-copy a page already received (asked for, or written here since) is
     * skipped. With two channels placing pages (postcopy-preempt) the check, the copy and the mark
     * are one step, so a page that arrives twice never overwrites what the running machine wrote;
     * the page is read off the stream into {@code scratch} first, so no read from the network
     * happens under that lock.
     */
    private void loadPage(StreamInput in, RamBlock block, long addr, MemorySegment scratch) throws IOException {
        if (!tracking) {
            in.copyTo(block.segment(), addr, PAGE_SIZE);
            block.setPopulated(addr >>> PAGE_SHIFT);
            return;
        }
        in.copyTo(scratch, 0, PAGE_SIZE);
        placing.lock();
        try {
            if (!IncomingPages.alreadyHere(block, addr >>> PAGE_SHIFT)) {
                MemorySegment.copy(scratch, 0, block.segment(), addr, PAGE_SIZE);
                block.setPopulated(addr >>> PAGE_SHIFT);
                arrived(block, addr);
            }
        } finally {
            placing.unlock();
        }
    }

    /** An XBZRLE delta (verified by the reader) applied to the page as it is here (ram.c load_xbzrle). */
    private void loadXbzrle(RamBlock block, long addr, byte[] delta) {
        MemorySegment page = block.segment().asSlice(addr, PAGE_SIZE);
        if (!tracking) {
            XbzrleDecoder.apply(delta, page, PAGE_SIZE);
            block.setPopulated(addr >>> PAGE_SHIFT);
            return;
        }
        placing.lock();
        try {
            if (!IncomingPages.alreadyHere(block, addr >>> PAGE_SHIFT)) {
                XbzrleDecoder.apply(delta, page, PAGE_SIZE);
                block.setPopulated(addr >>> PAGE_SHIFT);
                arrived(block, addr);
            }
        } finally {
            placing.unlock();
        }
    }

    private void loadZeroPage(RamBlock block, long addr) {
        if (!tracking) {
            loadZero(block, addr);
            return;
        }
        placing.lock();
        try {
            if (!IncomingPages.alreadyHere(block, addr >>> PAGE_SHIFT)) {
                loadZero(block, addr);
                arrived(block, addr);
            }
        } finally {
            placing.unlock();
        }
    }

    /**
     * The destination's preempt channel (QEMU ram_load_postcopy on RAM_CHANNEL_POSTCOPY): page
     * and zero-page records, with a CONTINUE state of their own, until EOS. Anything else is refused.
     */
    void loadPreempt(StreamInput in) throws IOException {
        MemorySegment scratch = java.lang.foreign.Arena.ofAuto().allocate(PAGE_SIZE, 64);
        Map<String, RamBlock> here = byName;
        if (here == null) {
            throw new IllegalStateException("the preempt channel opened before RAM's load setup");
        }
        RamRecordReader<RamBlock> r = new RamRecordReader<>(PAGE_SIZE, RamRecordReader.Accepts.LOADABLE,
                new NamedTargets<>(here::get, RamBlock::name, RamBlock::size,
                        name -> "unknown RAM block '" + name + "': expected one of " + here.keySet()));
        while (true) {
            long at = in.position();
            switch (r.next(in)) {
                case RamRecord.Page<RamBlock> p -> {
                    loadPage(in, p.block(), p.offset(), scratch);
                    preemptPagesLoaded++;
                }
                case RamRecord.Zero<RamBlock> z -> {
                    loadZeroPage(z.block(), z.offset());
                    preemptPagesLoaded++;
                }
                case RamRecord.Eos<RamBlock> e -> {
                    return;
                }
                default -> throw new StreamFormatException("preempt channel: only page, zero-page and EOS records "
                        + "may come here", at);
            }
        }
    }

    private void arrived(RamBlock block, long addr) {
        if (tracking) {
            IncomingPages.arrived(block, addr >>> PAGE_SHIFT);
        }
    }

    /** POSTCOPY_ADVISE: from now on every page that arrives is marked received, in every block. */
    void trackIncoming() {
        tracking = true;
        for (RamBlock b : byName.values()) {
            b.trackIncoming();
        }
    }

    /**
     * POSTCOPY_RAM_DISCARD: the ranges are stale here (ram.c ram_discard_range); they must arrive
     * again before the machine may touch them.
     */
    void discard(RamDiscard d, long at) throws StreamFormatException {
        RamBlock b = byName.get(d.block());
        if (b == null || b.incoming() == null) {
            throw new StreamFormatException("ram_discard_range: Failed to find block '" + d.block() + "'", at);
        }
        DiscardRanges.apply(b, d, at);
    }

    private static void loadZero(RamBlock block, long addr) {
        long page = addr >>> PAGE_SHIFT;
        if (block.mayBeNonZero(page) && !ZeroPages.isZero(block.segment(), addr)) {
            block.segment().asSlice(addr, PAGE_SIZE).fill((byte) 0);
        }
    }

    /** A block of the MEM_SIZE list: every block the source has, with its length, must exist here alike. */
    private void listed(RamRecord.ListedBlock<RamBlock> entry) throws StreamFormatException {
        String name = entry.name();
        long length = entry.length();
        RamBlock b = byName.get(name);
        RamHandler.BlockAdopter a = adopter;
        if (b == null && a != null) {
            if (!isKeepableName(name)) {
                throw new StreamFormatException("RAM block '" + name + "': a name of invalid UTF-8 cannot be kept; "
                        + "expected 1 to 255 bytes of UTF-8", entry.at());
            }
            if (length <= 0 || length % PAGE_SIZE != 0 || length > entry.remaining()) {
                throw new StreamFormatException("RAM block '" + name + "' of " + length + " bytes; expected a positive "
                        + "multiple of " + PAGE_SIZE + " within the total " + entry.total(), entry.at());
            }
            try {
                b = a.adopt(name, length);
            } catch (IllegalArgumentException refused) { // a bound of the adopting machine
                throw new StreamFormatException(refused.getMessage(), entry.at());
            }
            if (tracking) {
                b.trackIncoming();
            }
            byName.put(name, b);
        }
        if (b == null) {
            throw new StreamFormatException("unknown RAM block '" + name + "' (" + length
                    + " bytes) on the source: expected one of " + byName.keySet(), entry.at());
        }
        if (length != b.size()) {
            throw new StreamFormatException("RAM block '" + name + "' has " + length
                    + " bytes on the source; expected " + b.size() + " as here", entry.at());
        }
    }

    void cleanup() {
        byName = null;
        reader = null;
    }
}

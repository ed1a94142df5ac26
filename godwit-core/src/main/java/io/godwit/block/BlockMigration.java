package io.godwit.block;

import io.godwit.options.Capability;
import io.godwit.savevm.LoadContext;
import io.godwit.savevm.Pending;
import io.godwit.savevm.SaveContext;
import io.godwit.savevm.SaveVmHandler;
import io.godwit.stats.Counter;
import io.godwit.stream.NamedTargets;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Block migration (QEMU migration/block.c, section "block", version 1): a bulk phase over every
 * 1 MiB chunk of every disk, then the chunks written since; each chunk is a be64 of its sector
 * and flags, the disk's name, and 1 MiB of data, or nothing with ZERO_BLOCK when the zero-blocks
 * capability is on and the chunk is zero. PROGRESS records carry the bulk phase's percentage.
 * {@link BlockRecordReader} has the record layout, and reads the records for the destination here.
 * Active only with the block capability: without it the disks are shared storage.
 */
public final class BlockMigration implements SaveVmHandler {
    public static final String IDSTR = "block";
    public static final int VERSION = 1;
    // Record flags, in the low bits of the be64 that carries the sector (block.c BLK_MIG_FLAG_*)
    public static final long FLAG_DEVICE_BLOCK = 0x01;
    public static final long FLAG_EOS = 0x02;
    public static final long FLAG_PROGRESS = 0x04;
    public static final long FLAG_ZERO_BLOCK = 0x08;
    public static final int SECTOR_BITS = 9;
    private static final long MAX_ITERATE_NANOS = 50_000_000L;

    private final Supplier<List<BlockDevice>> disks;
    private volatile boolean enabled;

    // Source state: the migration thread's.
    private SaveContext save;
    private BlockDevice[] saving;
    private long[][] dirty; // chunks to send again, per disk
    private int bulkDisk;
    private long bulkChunk;
    private boolean bulkDone;
    private int prevProgress;
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(BlockDevice.CHUNK);

    // Destination state.
    private BlockRecordReader<BlockDevice> reader;

    public BlockMigration(Supplier<List<BlockDevice>> disks) {
        this.disks = disks;
    }

    @Override
    public boolean isActive() {
        return enabled && !disks.get().isEmpty();
    }

    /** Block migration runs only with the block capability (QEMU's migrate_use_block). */
    @Override
    public void savePrepare(SaveContext ctx) {
        enabled = ctx.capabilities().has(Capability.BLOCK);
    }

    // ---------------------------------------------------------------- source

    @Override
    public void saveSetup(SaveContext ctx) throws IOException {
        save = ctx;
        saving = disks.get().toArray(BlockDevice[]::new);
        dirty = new long[saving.length][];
        for (int i = 0; i < saving.length; i++) {
            dirty[i] = new long[(int) ((saving[i].chunks() + 63) / 64)];
            saving[i].chunksWritten().drainInto(new long[dirty[i].length], null); // the bulk phase reads all
        }
        bulkDisk = 0;
        bulkChunk = 0;
        bulkDone = false;
        prevProgress = -1;
        ctx.counters().set(Counter.DISK_TOTAL, totalBytes());
        ctx.out().putBe64(FLAG_EOS);
    }

    private long totalBytes() {
        long t = 0;
        for (BlockDevice d : saving) {
            t += d.size();
        }
        return t;
    }

    /** Takes the writes since the last look; chunks ahead of the bulk cursor are read then anyway. */
    private long dirtyChunks() {
        long n = 0;
        for (int i = 0; i < saving.length; i++) {
            saving[i].chunksWritten().drainInto(dirty[i], null);
            if (!bulkDone) {
                long from = i < bulkDisk ? Long.MAX_VALUE : i > bulkDisk ? 0 : bulkChunk;
                for (long c = from; c < saving[i].chunks(); c++) {
                    dirty[i][(int) (c >>> 6)] &= ~(1L << c);
                }
            }
            for (long w : dirty[i]) {
                n += Long.bitCount(w);
            }
        }
        return n;
    }

    @Override
    public void pendingEstimate(long thresholdSize, Pending pending) {
        long bytes = dirtyChunks() * BlockDevice.CHUNK + bulkRemaining();
        if (!bulkDone && bytes <= thresholdSize) {
            bytes = thresholdSize + BlockDevice.CHUNK; // at least one chunk pending during the bulk phase
        }
        pending.addMustPrecopy(bytes);
        save.counters().set(Counter.DISK_REMAINING, bytes);
    }

    private long bulkRemaining() {
        if (bulkDone) {
            return 0;
        }
        long left = 0;
        for (int i = bulkDisk; i < saving.length; i++) {
            left += i == bulkDisk ? saving[i].size() - Math.min(saving[i].size(), bulkChunk * BlockDevice.CHUNK)
                    : saving[i].size();
        }
        return left;
    }

    @Override
    public boolean saveLiveIterate(SaveContext ctx) throws IOException {
        long start = ctx.clock().nanoTime();
        boolean done = false;
        while (!ctx.rateLimitExceeded() && ctx.clock().nanoTime() - start < MAX_ITERATE_NANOS) {
            if (!bulkDone) {
                sendBulkChunk(ctx.out());
            } else if (!sendDirtyChunk(ctx.out())) {
                done = true;
                break;
            }
        }
        ctx.out().putBe64(FLAG_EOS);
        return done;
    }

    private void sendBulkChunk(StreamOutput out) throws IOException {
        BlockDevice d = saving[bulkDisk];
        d.chunksWritten().drainInto(dirty[bulkDisk], null);
        dirty[bulkDisk][(int) (bulkChunk >>> 6)] &= ~(1L << bulkChunk); // reset, then read: a later write marks again
        sendChunk(out, d, bulkChunk);
        if (++bulkChunk >= d.chunks()) {
            bulkChunk = 0;
            if (++bulkDisk >= saving.length) {
                bulkDone = true;
            }
        }
        progress(out);
    }

    private void progress(StreamOutput out) throws IOException {
        long total = totalBytes();
        long done = total - bulkRemaining();
        int pct = total == 0 ? 100 : (int) (done * 100 / total);
        if (pct != prevProgress) {
            prevProgress = pct;
            out.putBe64(((long) pct << SECTOR_BITS) | FLAG_PROGRESS);
        }
    }

    /** Sends the next chunk written since it was last sent; false when there is none. */
    private boolean sendDirtyChunk(StreamOutput out) throws IOException {
        dirtyChunks();
        for (int i = 0; i < saving.length; i++) {
            long[] bits = dirty[i];
            for (int w = 0; w < bits.length; w++) {
                if (bits[w] != 0) {
                    int b = Long.numberOfTrailingZeros(bits[w]);
                    bits[w] &= ~(1L << b);
                    sendChunk(out, saving[i], ((long) w << 6) + b);
                    return true;
                }
            }
        }
        return false;
    }

    private void sendChunk(StreamOutput out, BlockDevice d, long c) throws IOException {
        long offset = c * BlockDevice.CHUNK;
        chunk.clear();
        d.read(offset, chunk); // past the end of the image reads as zero: the record is always 1 MiB
        chunk.flip();
        boolean zero = save.capabilities().has(Capability.ZERO_BLOCKS) && BlockDevice.isZero(chunk);
        out.putBe64((offset >> SECTOR_BITS) << SECTOR_BITS | FLAG_DEVICE_BLOCK | (zero ? FLAG_ZERO_BLOCK : 0));
        out.putString8(d.name());
        if (zero) {
            save.counters().add(Counter.DISK_ZERO_BLOCKS, 1);
        } else {
            out.putSegment(java.lang.foreign.MemorySegment.ofBuffer(chunk), 0, BlockDevice.CHUNK);
        }
        save.counters().add(Counter.DISK_TRANSFERRED, Math.min(BlockDevice.CHUNK, d.size() - offset));
    }

    @Override
    public void saveLiveCompletePrecopy(SaveContext ctx) throws IOException {
        while (!bulkDone) {
            sendBulkChunk(ctx.out());
        }
        while (sendDirtyChunk(ctx.out())) {
            // everything written until the stop
        }
        ctx.out().putBe64((100L << SECTOR_BITS) | FLAG_PROGRESS);
        ctx.out().putBe64(FLAG_EOS);
        ctx.counters().set(Counter.DISK_REMAINING, 0);
    }

    @Override
    public void saveCleanup() {
        saving = null;
        dirty = null;
        save = null;
    }

    // ----------------------------------------------------------- destination

    @Override
    public void loadSetup(LoadContext ctx) {
        Map<String, BlockDevice> here = new LinkedHashMap<>();
        for (BlockDevice d : disks.get()) {
            here.put(d.name(), d);
        }
        reader = new BlockRecordReader<>(new NamedTargets<>(here::get, BlockDevice::name, BlockDevice::size,
                name -> "unknown block device '" + name + "': expected one of " + here.keySet()));
    }

    @Override
    public void loadState(LoadContext ctx, int versionId) throws IOException {
        StreamInput in = ctx.in();
        ByteBuffer buf = chunk; // the destination does not save: the buffer is free here
        while (true) {
            BlockRecord<BlockDevice> r = reader.next(in);
            if (r instanceof BlockRecord.Chunk<BlockDevice> c) {
                BlockDevice d = c.disk();
                int len = (int) Math.min(BlockDevice.CHUNK, d.size() - c.offset());
                buf.clear();
                if (c.zero()) {
                    buf.limit(len);
                    writeZeroes(d, c.offset(), buf);
                } else {
                    in.copyTo(java.lang.foreign.MemorySegment.ofBuffer(buf), 0, BlockDevice.CHUNK);
                    buf.limit(len); // a data chunk is read whole before anything is written
                    d.writeLoaded(c.offset(), buf);
                }
            }
            // PROGRESS: the source's bulk progress, in percent; nothing to do
            if (r.last()) {
                return;
            }
        }
    }

    /** Zeroes a chunk, unless it reads as zero already (a hole in a sparse image stays a hole). */
    private static void writeZeroes(BlockDevice d, long offset, ByteBuffer buf) throws IOException {
        int len = buf.limit();
        d.read(offset, buf);
        buf.flip();
        if (!BlockDevice.isZero(buf)) {
            buf.clear().limit(len);
            java.lang.foreign.MemorySegment.ofBuffer(buf).fill((byte) 0);
            d.writeLoaded(offset, buf);
        }
    }

    @Override
    public void loadCleanup() {
        reader = null;
    }
}

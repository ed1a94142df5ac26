package io.godwit.bitmap;

import io.godwit.block.BlockDirtyBitmap;
import io.godwit.block.BlockDevice;
import io.godwit.options.Capability;
import io.godwit.savevm.LoadContext;
import io.godwit.savevm.Pending;
import io.godwit.savevm.SaveContext;
import io.godwit.savevm.SaveVmHandler;
import io.godwit.stream.NamedTargets;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Dirty-bitmap migration (QEMU migration/block-dirty-bitmap.c, section "dirty-bitmap", version 1)
 * with the dirty-bitmaps capability. Setup announces each bitmap (START: granularity, enabled and
 * persistent flags); the bits go at stop-copy in chunks of 8192 bits (BITS, or ZEROES for an
 * all-zero chunk), then COMPLETE per bitmap. Each record starts with a flags byte, then the disk
 * and bitmap names when they change ({@link BitmapRecordReader} has the layout, and reads the
 * records for the destination here). The destination creates the bitmaps, keeps them from
 * recording while they load, and enables those the source had enabled: they keep recording.
 */
public final class BitmapMigration implements SaveVmHandler {
    public static final String IDSTR = "dirty-bitmap";
    public static final int VERSION = 1;
    // Record flags (block-dirty-bitmap.c DIRTY_BITMAP_MIG_FLAG_*)
    public static final int FLAG_EOS = 0x01;
    public static final int FLAG_ZEROES = 0x02;
    public static final int FLAG_BITMAP_NAME = 0x04;
    public static final int FLAG_DEVICE_NAME = 0x08;
    public static final int FLAG_START = 0x10;
    public static final int FLAG_COMPLETE = 0x20;
    public static final int FLAG_BITS = 0x40;
    public static final int FLAG_EXTRA = 0x80;
    /** Every flag a record may carry. */
    public static final int KNOWN = FLAG_EOS | FLAG_ZEROES | FLAG_BITMAP_NAME | FLAG_DEVICE_NAME | FLAG_START
            | FLAG_COMPLETE | FLAG_BITS;
    public static final int START_ENABLED = 0x01;
    public static final int START_PERSISTENT = 0x02;
    public static final int START_RESERVED = 0xf8;
    /** Bits per data chunk: QEMU's CHUNK_SIZE of 1 KiB of bitmap. */
    static final long CHUNK_BITS = 1024 * 8;
    private static final int SECTOR = 512;
    private static final int ALIGN = 32;

    private record Saved(BlockDevice disk, BlockDirtyBitmap bitmap) {}

    private final Supplier<List<BlockDevice>> disks;
    private volatile boolean enabled;

    // Source: the migration thread's.
    private List<Saved> saving;
    private BlockDevice prevDisk;
    private BlockDirtyBitmap prevBitmap;
    private boolean bitsSent; // in post-copy the bits go in the first iteration after the switch

    // Destination: the incoming thread's.
    private BitmapRecordReader<BlockDevice> reader;
    private final Map<String, BlockDirtyBitmap> loading = new HashMap<>();
    private final Map<BlockDirtyBitmap, Boolean> enableAfter = new HashMap<>();

    public BitmapMigration(Supplier<List<BlockDevice>> disks) {
        this.disks = disks;
    }

    @Override
    public void savePrepare(SaveContext ctx) {
        enabled = ctx.capabilities().has(Capability.DIRTY_BITMAPS);
    }

    @Override
    public boolean isActive() {
        if (!enabled) {
            return false;
        }
        for (BlockDevice d : disks.get()) {
            if (!d.bitmaps().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean hasPostcopy() {
        return true;
    }

    // ---------------------------------------------------------------- source

    @Override
    public void saveSetup(SaveContext ctx) throws IOException {
        saving = new ArrayList<>();
        prevDisk = null;
        prevBitmap = null;
        bitsSent = false;
        for (BlockDevice d : disks.get()) {
            for (BlockDirtyBitmap b : d.bitmaps()) {
                saving.add(new Saved(d, b));
            }
        }
        StreamOutput out = ctx.out();
        for (Saved s : saving) {
            header(out, s, FLAG_START);
            out.putBe32(s.bitmap().granularity());
            out.put8((s.bitmap().enabled() ? START_ENABLED : 0) | (s.bitmap().persistent() ? START_PERSISTENT : 0));
        }
        out.put8(FLAG_EOS);
    }

    private void header(StreamOutput out, Saved s, int flags) throws IOException {
        if (s.disk() != prevDisk) {
            prevDisk = s.disk();
            flags |= FLAG_DEVICE_NAME;
        }
        if (s.bitmap() != prevBitmap) {
            prevBitmap = s.bitmap();
            flags |= FLAG_BITMAP_NAME;
        }
        out.put8(flags);
        if ((flags & FLAG_DEVICE_NAME) != 0) {
            out.putString8(s.disk().name());
        }
        if ((flags & FLAG_BITMAP_NAME) != 0) {
            out.putString8(s.bitmap().name());
        }
    }

    /** What is left is the bits themselves, which may follow the switch (QEMU reports them so). */
    @Override
    public void pendingEstimate(long thresholdSize, Pending pending) {
        long bits = 0;
        for (Saved s : saving) {
            bits += bitsSent ? 0 : s.bitmap().bits();
        }
        pending.addCanPostcopy(bits);
    }

    /** Nothing to send before stop-copy; after a switch to post-copy, all the bits at once. */
    @Override
    public boolean saveLiveIterate(SaveContext ctx) throws IOException {
        if (ctx.inPostcopy() && !bitsSent) {
            sendBits(ctx.out());
        }
        ctx.out().put8(FLAG_EOS);
        return true;
    }

    @Override
    public void saveLiveCompletePrecopy(SaveContext ctx) throws IOException {
        StreamOutput out = ctx.out();
        if (!bitsSent) {
            sendBits(out);
        }
        for (Saved s : saving) {
            header(out, s, FLAG_COMPLETE);
        }
        out.put8(FLAG_EOS);
    }

    @Override
    public void saveLiveCompletePostcopy(SaveContext ctx) throws IOException {
        saveLiveCompletePrecopy(ctx);
    }

    private void sendBits(StreamOutput out) throws IOException {
        bitsSent = true;
        for (Saved s : saving) {
            BlockDirtyBitmap b = s.bitmap();
            long sectorsPerBit = b.granularity() / SECTOR;
            for (long first = 0; first < b.bits(); first += CHUNK_BITS) {
                long n = Math.min(CHUNK_BITS, b.bits() - first);
                long size = (BlockDirtyBitmap.serializationSize(n) + ALIGN - 1) / ALIGN * ALIGN;
                ByteBuffer buf = ByteBuffer.allocate((int) size);
                b.serialize(first, n, buf);
                boolean zero = isZero(buf.array());
                header(out, s, FLAG_BITS | (zero ? FLAG_ZEROES : 0));
                long totalSectors = b.deviceSize() / SECTOR;
                long start = first * sectorsPerBit;
                out.putBe64(start);
                out.putBe32((int) Math.min(n * sectorsPerBit, totalSectors - start));
                if (!zero) {
                    out.putBe64(size);
                    out.putBytes(buf.array());
                }
            }
        }
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void saveCleanup() {
        saving = List.of();
        prevDisk = null;
        prevBitmap = null;
    }

    // ----------------------------------------------------------- destination

    @Override
    public void loadSetup(LoadContext ctx) {
        Map<String, BlockDevice> here = new HashMap<>();
        for (BlockDevice d : disks.get()) {
            here.put(d.name(), d);
        }
        reader = new BitmapRecordReader<>(new NamedTargets<>(here::get, BlockDevice::name, BlockDevice::size,
                name -> "dirty bitmap on unknown disk '" + name + "'"));
        loading.clear();
        enableAfter.clear();
    }

    @Override
    public void loadState(LoadContext ctx, int versionId) throws IOException {
        StreamInput in = ctx.in();
        while (true) {
            BitmapRecord<BlockDevice> r = reader.next(in);
            switch (r) {
                case BitmapRecord.Start<BlockDevice> s -> loadStart(s);
                case BitmapRecord.Bits<BlockDevice> b -> loadBits(in, b);
                case BitmapRecord.Complete<BlockDevice> c -> {
                    BlockDirtyBitmap b = loading.get(key(c.disk(), c.bitmap()));
                    b.setEnabled(enableAfter.getOrDefault(b, false)); // recording again, on this side
                }
                case BitmapRecord.Eos<BlockDevice> e -> { }
            }
            if (r.last()) {
                return;
            }
        }
    }

    private void loadStart(BitmapRecord.Start<BlockDevice> s) throws StreamFormatException {
        BlockDevice disk = s.disk();
        if (disk.bitmap(s.bitmap()) != null) {
            throw new StreamFormatException("Bitmap with the same name ('" + s.bitmap() + "') already exists on "
                    + "destination disk '" + disk.name() + "'", s.at());
        }
        BlockDirtyBitmap b;
        try {
            b = new BlockDirtyBitmap(s.bitmap(), s.granularity(), disk.size(), false, s.persistent());
        } catch (IllegalArgumentException e) {
            throw new StreamFormatException("dirty bitmap '" + s.bitmap() + "': " + e.getMessage(), s.at());
        }
        disk.addBitmap(b);
        loading.put(key(disk, s.bitmap()), b);
        enableAfter.put(b, s.enabled());
    }

    private static String key(BlockDevice disk, String bitmap) {
        return disk.name() + "/" + bitmap;
    }

    private void loadBits(StreamInput in, BitmapRecord.Bits<BlockDevice> r) throws IOException {
        BlockDirtyBitmap b = loading.get(key(r.disk(), r.bitmap()));
        if (r.zeroes()) {
            return; // the bitmap was created empty here; bits the running machine set in post-copy stay
        }
        // ORed in: writes the destination made in post-copy stay recorded
        b.merge(r.firstBit(), r.bits(), ByteBuffer.wrap(in.getBytes((int) r.dataBytes())));
    }

    /**
     * Post-copy: the machine runs before the bits arrive. Bitmaps the source had recording record
     * from now on, so the writes made here are in them once the source's bits are merged in (QEMU:
     * dirty_bitmap_mig_before_vm_start).
     */
    @Override
    public void loadBeforePostcopyRun() {
        enableAfter.forEach((b, on) -> {
            if (on) {
                b.setEnabled(true);
            }
        });
    }

    @Override
    public void loadCleanup() {
        loading.clear();
    }
}

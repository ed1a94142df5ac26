package io.godwit.bitmap;

import io.godwit.block.BlockDirtyBitmap;
import io.godwit.block.BlockDevice;
import io.godwit.options.Capability;
import io.godwit.savevm.LoadContext;
import io.godwit.savevm.Pending;
import io.godwit.savevm.SaveContext;
import io.godwit.savevm.SaveVmHandler;
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
 * and bitmap names when they change. The destination creates the bitmaps, keeps them from
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
    private BlockDevice loadDisk;
    private String loadBitmapName;
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
        loadDisk = null;
        loadBitmapName = null;
        loading.clear();
        enableAfter.clear();
    }

    @Override
    public void loadState(LoadContext ctx, int versionId) throws IOException {
        StreamInput in = ctx.in();
        while (true) {
            long at = in.position();
            int flags = readFlags(in);
            if ((flags & ~KNOWN) != 0) {
                throw new StreamFormatException(String.format("unknown dirty bitmap flags 0x%x", flags & ~KNOWN), at);
            }
            if ((flags & FLAG_DEVICE_NAME) != 0) {
                String name = in.getString8();
                loadDisk = null;
                for (BlockDevice d : disks.get()) {
                    if (d.name().equals(name)) {
                        loadDisk = d;
                    }
                }
                if (loadDisk == null) {
                    throw new StreamFormatException("dirty bitmap on unknown disk '" + name + "'", at);
                }
            }
            if ((flags & FLAG_BITMAP_NAME) != 0) {
                loadBitmapName = in.getString8();
            }
            if ((flags & FLAG_START) != 0) {
                loadStart(in, at);
            } else if ((flags & FLAG_BITS) != 0) {
                loadBits(in, flags, at);
            } else if ((flags & FLAG_COMPLETE) != 0) {
                BlockDirtyBitmap b = current(at);
                b.setEnabled(enableAfter.getOrDefault(b, false)); // recording again, on this side
            } else if ((flags & FLAG_EOS) == 0) {
                throw new StreamFormatException(String.format("dirty bitmap record with flags 0x%x; expected START, "
                        + "BITS, COMPLETE or EOS", flags), at);
            }
            if ((flags & FLAG_EOS) != 0) {
                return;
            }
        }
    }

    /**
     * Flags are one, two or four bytes: bit 7 of a byte says another follows (QEMU's encoding).
     * That bit is framing, not a flag, so it is dropped from the value.
     */
    private static int readFlags(StreamInput in) throws IOException {
        int flags = in.get8();
        if ((flags & FLAG_EXTRA) != 0) {
            flags = (flags & ~FLAG_EXTRA) << 8 | in.get8();
            if ((flags & FLAG_EXTRA) != 0) {
                flags = (flags & ~FLAG_EXTRA) << 16 | in.getBe16();
            }
        }
        return flags;
    }

    private void loadStart(StreamInput in, long at) throws IOException {
        int granularity = in.getBe32();
        int startFlags = in.get8();
        if (loadDisk == null || loadBitmapName == null) {
            throw new StreamFormatException("dirty bitmap START without a disk and bitmap name", at);
        }
        if ((startFlags & START_RESERVED) != 0) {
            throw new StreamFormatException(String.format("unknown flags in migrated dirty bitmap header: 0x%x",
                    startFlags), at);
        }
        if (loadDisk.bitmap(loadBitmapName) != null) {
            throw new StreamFormatException("Bitmap with the same name ('" + loadBitmapName + "') already exists on "
                    + "destination disk '" + loadDisk.name() + "'", at);
        }
        BlockDirtyBitmap b;
        try {
            b = new BlockDirtyBitmap(loadBitmapName, granularity, loadDisk.size(), false,
                    (startFlags & START_PERSISTENT) != 0);
        } catch (IllegalArgumentException e) {
            throw new StreamFormatException("dirty bitmap '" + loadBitmapName + "': " + e.getMessage(), at);
        }
        loadDisk.addBitmap(b);
        loading.put(key(), b);
        enableAfter.put(b, (startFlags & START_ENABLED) != 0);
    }

    private String key() {
        return loadDisk.name() + "/" + loadBitmapName;
    }

    private BlockDirtyBitmap current(long at) throws StreamFormatException {
        BlockDirtyBitmap b = loadDisk == null || loadBitmapName == null ? null : loading.get(key());
        if (loadDisk == null || loadBitmapName == null) {
            throw new StreamFormatException("dirty bitmap record names no " + (loadDisk == null ? "disk" : "bitmap")
                    + " and none was named before it", at);
        }
        if (b == null) {
            throw new StreamFormatException("unknown dirty bitmap '" + loadBitmapName + "' on disk '" + loadDisk.name()
                    + "': expected a START first", at);
        }
        return b;
    }

    private void loadBits(StreamInput in, int flags, long at) throws IOException {
        long startSector = in.getBe64();
        long sectors = in.getBe32() & 0xffffffffL;
        BlockDirtyBitmap b = current(at);
        long sectorsPerBit = b.granularity() / SECTOR;
        if (startSector % sectorsPerBit != 0 || startSector * SECTOR >= loadDisk.size()
                || (startSector + sectors) * SECTOR > loadDisk.size() + b.granularity()) {
            throw new StreamFormatException("dirty bitmap '" + b.name() + "' chunk of " + sectors + " sectors at sector "
                    + startSector + " outside disk '" + loadDisk.name() + "'", at);
        }
        long first = startSector / sectorsPerBit;
        long n = Math.min((sectors + sectorsPerBit - 1) / sectorsPerBit, b.bits() - first);
        if ((flags & FLAG_ZEROES) != 0) {
            return; // the bitmap was created empty here; bits the running machine set in post-copy stay
        }
        long size = in.getBe64();
        long needed = BlockDirtyBitmap.serializationSize(n);
        if (size < needed || size > (needed + ALIGN - 1) / ALIGN * ALIGN) {
            throw new StreamFormatException("dirty bitmap '" + b.name() + "' chunk of " + size + " bytes; expected "
                    + needed + " for its granularity", at);
        }
        ByteBuffer buf = ByteBuffer.wrap(in.getBytes((int) size));
        if (first % 64 != 0) {
            throw new StreamFormatException("dirty bitmap '" + b.name() + "' chunk does not start on a word", at);
        }
        b.merge(first, n, buf); // ORed in: writes the destination made in post-copy stay recorded
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

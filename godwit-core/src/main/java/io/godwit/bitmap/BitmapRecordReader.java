package io.godwit.bitmap;

import static io.godwit.bitmap.BitmapMigration.*;

import io.godwit.block.BlockDirtyBitmap;
import io.godwit.stream.NamedTargets;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import io.godwit.stream.UnreadData;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the records of "dirty-bitmap" sections (QEMU migration/block-dirty-bitmap.c, version 1)
 * one at a time, and verifies each before returning it: the destination's loader and
 * {@code godwit inspect} both read them here. Names and started bitmaps carry over from one
 * record and one section to the next, so one reader serves a whole stream.
 *
 * <pre>
 * record    flags [disk] [bitmap] body
 * flags     1, 2 or 4 bytes, big-endian. Bit 7 (0x80, EXTRA) of the first byte says a second byte
 *           follows, bit 7 of the second that a be16 follows; that bit is framing and is dropped
 *           from the value, so 80 1c reads as 0x1c. The flags: EOS 0x01, ZEROES 0x02,
 *           BITMAP_NAME 0x04, DEVICE_NAME 0x08, START 0x10, COMPLETE 0x20, BITS 0x40
 * disk      u8 length + name when DEVICE_NAME is set; else the disk of the records before
 * bitmap    u8 length + name when BITMAP_NAME is set; else the bitmap of the records before
 * body      START     be32 granularity (bytes per bit, a power of two from 512), u8 flags
 *                     ENABLED 0x01, PERSISTENT 0x02 (0x04, the obsolete AUTOLOAD, is ignored;
 *                     0xf8 must be clear)
 *           BITS      be64 first sector (of 512 bytes, on a bit's boundary), be32 sector count;
 *                     unless ZEROES, be64 size and the bits as little-endian 64-bit words, the
 *                     size from what the bits need up to that rounded up to 32 bytes
 *           COMPLETE  nothing
 *           EOS alone nothing
 * </pre>
 * EOS may be set on any record and ends the section. START wins over BITS, and BITS over
 * COMPLETE, when a record sets several. A BITS or COMPLETE record must follow the START of its
 * bitmap; BITS must lie on the disk when the disk's size is known.
 *
 * @param <D> what the caller knows a disk as; it refuses names of disks it does not have
 */
public final class BitmapRecordReader<D> {
    private static final int SECTOR = 512;
    private static final int ALIGN = 32; // QEMU rounds the buffer up to four longs
    private static final int MAX_SECTOR_BITS = 54; // byte offsets of sectors below this fit a long

    private final NamedTargets<D> disks;
    private final Map<String, Integer> started = new HashMap<>(); // disk NUL bitmap -> granularity
    private D disk;
    private String bitmap;
    private final UnreadData data = new UnreadData("bits");

    public BitmapRecordReader(NamedTargets<D> disks) {
        this.disks = disks;
    }

    /** Refuses a section of another version than the one this reader knows. */
    public static void checkVersion(int version, long at) throws StreamFormatException {
        if (version != VERSION) {
            throw new StreamFormatException("dirty-bitmap section version " + version + "; expected " + VERSION, at);
        }
    }

    /** The next record of {@code in}, verified; the data of a BITS record before it must have been read. */
    public BitmapRecord<D> next(StreamInput in) throws IOException {
        data.checkRead(in);
        long at = in.position();
        int flags = readFlags(in);
        if ((flags & ~KNOWN) != 0) {
            throw new StreamFormatException(String.format("unknown dirty bitmap flags 0x%x", flags & ~KNOWN), at);
        }
        if ((flags & FLAG_DEVICE_NAME) != 0) {
            disk = disks.named(in.getString8(), at);
        }
        if ((flags & FLAG_BITMAP_NAME) != 0) {
            bitmap = in.getString8();
        }
        boolean last = (flags & FLAG_EOS) != 0;
        if ((flags & FLAG_START) != 0) {
            return start(in, at, last);
        } else if ((flags & FLAG_BITS) != 0) {
            return bits(in, flags, at, last);
        } else if ((flags & FLAG_COMPLETE) != 0) {
            current(at);
            return new BitmapRecord.Complete<>(at, disk, bitmap, last);
        } else if (!last) {
            throw new StreamFormatException(String.format("dirty bitmap record with flags 0x%x; expected START, "
                    + "BITS, COMPLETE or EOS", flags), at);
        }
        return new BitmapRecord.Eos<>(at);
    }

    /** Flags are one, two or four bytes: bit 7 of a byte says more follow, and is not a flag. */
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

    private BitmapRecord<D> start(StreamInput in, long at, boolean last) throws IOException {
        int granularity = in.getBe32();
        int startFlags = in.get8();
        if (disk == null || bitmap == null) {
            throw new StreamFormatException("dirty bitmap START without a disk and bitmap name", at);
        }
        if ((startFlags & START_RESERVED) != 0) {
            throw new StreamFormatException(String.format("unknown flags in migrated dirty bitmap header: 0x%x",
                    startFlags), at);
        }
        try {
            BlockDirtyBitmap.checkGranularity(granularity);
        } catch (IllegalArgumentException e) {
            throw new StreamFormatException("dirty bitmap '" + bitmap + "': " + e.getMessage(), at);
        }
        started.put(key(), granularity);
        return new BitmapRecord.Start<>(at, disk, bitmap, granularity, (startFlags & START_ENABLED) != 0,
                (startFlags & START_PERSISTENT) != 0, last);
    }

    private BitmapRecord<D> bits(StreamInput in, int flags, long at, boolean last) throws IOException {
        long startSector = in.getBe64();
        long sectors = in.getBe32() & 0xffffffffL;
        int granularity = current(at);
        long sectorsPerBit = granularity / SECTOR;
        long size = disks.size(disk);
        if (startSector >>> MAX_SECTOR_BITS != 0 || startSector % sectorsPerBit != 0 || size >= 0 && (startSector * SECTOR >= size
                || (startSector + sectors) * SECTOR > size + granularity)) {
            throw new StreamFormatException("dirty bitmap '" + bitmap + "' chunk of " + sectors + " sectors at sector "
                    + startSector + " outside disk '" + disks.name(disk) + "'", at);
        }
        long first = startSector / sectorsPerBit;
        long n = (sectors + sectorsPerBit - 1) / sectorsPerBit;
        if (size >= 0) {
            n = Math.min(n, (size + granularity - 1) / granularity - first);
        }
        if ((flags & FLAG_ZEROES) != 0) {
            return new BitmapRecord.Bits<>(at, disk, bitmap, startSector, sectors, first, n, true, 0, last);
        }
        long bytes = in.getBe64();
        long needed = BlockDirtyBitmap.serializationSize(n);
        if (bytes < needed || bytes > (needed + ALIGN - 1) / ALIGN * ALIGN) {
            throw new StreamFormatException("dirty bitmap '" + bitmap + "' chunk of " + bytes + " bytes; expected "
                    + needed + " for its granularity", at);
        }
        if (first % 64 != 0) {
            throw new StreamFormatException("dirty bitmap '" + bitmap + "' chunk does not start on a word", at);
        }
        data.follow(in, bytes);
        return new BitmapRecord.Bits<>(at, disk, bitmap, startSector, sectors, first, n, false, bytes, last);
    }

    /** The granularity of the bitmap the record is about, which must have been started. */
    private int current(long at) throws StreamFormatException {
        if (disk == null || bitmap == null) {
            throw new StreamFormatException("dirty bitmap record names no " + (disk == null ? "disk" : "bitmap")
                    + " and none was named before it", at);
        }
        Integer granularity = started.get(key());
        if (granularity == null) {
            throw new StreamFormatException("unknown dirty bitmap '" + bitmap + "' on disk '" + disks.name(disk)
                    + "': expected a START first", at);
        }
        return granularity;
    }

    private String key() {
        return disks.name(disk) + "\0" + bitmap;
    }
}

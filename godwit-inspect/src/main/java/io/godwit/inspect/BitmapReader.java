package io.godwit.inspect;

import static io.godwit.bitmap.BitmapMigration.*;

import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The "dirty-bitmap" section (QEMU migration/block-dirty-bitmap.c, version 1): records of a
 * flags field (one, two or four bytes), the disk and bitmap names when they change, then START
 * (granularity, flags), BITS (first sector, sector count, and the bits unless ZEROES) or
 * COMPLETE; EOS ends the section.
 */
final class BitmapReader implements SectionReader {
    /** What the stream says about one bitmap. */
    static final class Bitmap {
        final String disk;
        final String name;
        long granularity = -1;
        boolean enabled;
        boolean persistent;
        long chunks;
        long zeroChunks;
        boolean complete;

        Bitmap(String disk, String name) {
            this.disk = disk;
            this.name = name;
        }
    }

    private final Map<String, Bitmap> bitmaps = new LinkedHashMap<>();
    private String disk;
    private String name;

    @Override
    public void read(StreamInput in, int version) throws IOException {
        if (version != VERSION) {
            throw new StreamFormatException("dirty-bitmap section version " + version + "; expected " + VERSION,
                    in.position());
        }
        while (true) {
            long at = in.position();
            int flags = flags(in);
            if ((flags & ~KNOWN) != 0) {
                throw new StreamFormatException(String.format("unknown dirty bitmap flags 0x%x", flags & ~KNOWN), at);
            }
            if ((flags & FLAG_DEVICE_NAME) != 0) {
                disk = in.getString8();
            }
            if ((flags & FLAG_BITMAP_NAME) != 0) {
                name = in.getString8();
            }
            if ((flags & (FLAG_START | FLAG_BITS | FLAG_COMPLETE)) != 0) {
                record(in, flags, at);
            } else if ((flags & FLAG_EOS) == 0) {
                throw new StreamFormatException(String.format("dirty bitmap record with flags 0x%x; expected START, "
                        + "BITS, COMPLETE or EOS", flags), at);
            }
            if ((flags & FLAG_EOS) != 0) {
                return;
            }
        }
    }

    private void record(StreamInput in, int flags, long at) throws IOException {
        if (disk == null || name == null) {
            throw new StreamFormatException("dirty bitmap record before a disk and bitmap were named", at);
        }
        Bitmap b = bitmaps.computeIfAbsent(disk + "\0" + name, k -> new Bitmap(disk, name));
        if ((flags & FLAG_START) != 0) {
            b.granularity = Integer.toUnsignedLong(in.getBe32());
            int start = in.get8();
            if ((start & START_RESERVED) != 0) {
                throw new StreamFormatException(String.format("dirty bitmap START flags 0x%x; expected only ENABLED "
                        + "and PERSISTENT", start), at);
            }
            b.enabled = (start & START_ENABLED) != 0;
            b.persistent = (start & START_PERSISTENT) != 0;
        } else if ((flags & FLAG_BITS) != 0) {
            in.getBe64(); // first sector
            in.getBe32(); // sectors
            if ((flags & FLAG_ZEROES) != 0) {
                b.zeroChunks++;
            } else {
                long size = in.getBe64();
                if (size < 0 || size > (1L << 30)) {
                    throw new StreamFormatException("dirty bitmap chunk of " + Long.toUnsignedString(size) + " bytes; "
                            + "expected at most 1 GiB", at);
                }
                in.skip(size);
                b.chunks++;
            }
        } else {
            b.complete = true;
        }
    }

    /** One, two or four bytes: bit 7 of a byte says another follows. */
    private static int flags(StreamInput in) throws IOException {
        int flags = in.get8();
        if ((flags & FLAG_EXTRA) != 0) {
            flags = flags << 8 | in.get8();
            if ((flags & FLAG_EXTRA) != 0) {
                flags = flags << 16 | in.getBe16();
            }
        }
        return flags;
    }

    List<Bitmap> bitmaps() {
        return new ArrayList<>(bitmaps.values());
    }
}

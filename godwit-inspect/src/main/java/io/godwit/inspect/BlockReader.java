package io.godwit.inspect;

import static io.godwit.block.BlockMigration.*;

import io.godwit.block.BlockDevice;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The "block" section (QEMU migration/block.c, version 1): chunks of 1 MiB per disk, each a be64
 * of sector and flags, the disk's name and the data (none for a ZERO_BLOCK chunk); PROGRESS
 * records with the bulk phase's percentage; EOS.
 */
final class BlockReader implements SectionReader {
    /** Chunks per disk, in the order the disks first appeared. */
    record Disk(String name, long chunks, long zeroChunks) {}

    private final Map<String, long[]> disks = new LinkedHashMap<>();
    private int progress = -1;

    @Override
    public void read(StreamInput in, int version) throws IOException {
        if (version != VERSION) {
            throw new StreamFormatException("block section version " + version + "; expected " + VERSION, in.position());
        }
        long known = FLAG_DEVICE_BLOCK | FLAG_EOS | FLAG_PROGRESS | FLAG_ZERO_BLOCK;
        while (true) {
            long at = in.position();
            long word = in.getBe64();
            long flags = word & ((1L << SECTOR_BITS) - 1);
            if ((flags & ~known) != 0) {
                throw new StreamFormatException(String.format("unknown block migration flags 0x%x; expected "
                        + "DEVICE_BLOCK, ZERO_BLOCK, PROGRESS or EOS", flags & ~known), at);
            }
            if ((flags & FLAG_DEVICE_BLOCK) != 0) {
                String name = in.getString8();
                long[] counts = disks.computeIfAbsent(name, n -> new long[2]);
                if ((flags & FLAG_ZERO_BLOCK) != 0) {
                    counts[1]++;
                } else {
                    counts[0]++;
                    in.skip(BlockDevice.CHUNK);
                }
            } else if ((flags & FLAG_PROGRESS) != 0) {
                progress = (int) (word >>> SECTOR_BITS);
            } else if ((flags & FLAG_EOS) == 0) {
                throw new StreamFormatException(String.format("block record with flags 0x%x; expected DEVICE_BLOCK, "
                        + "PROGRESS or EOS", flags), at);
            }
            if ((flags & FLAG_EOS) != 0) {
                return;
            }
        }
    }

    Iterable<Disk> disks() {
        return disks.entrySet().stream().map(e -> new Disk(e.getKey(), e.getValue()[0], e.getValue()[1])).toList();
    }

    /** The last bulk-phase percentage the source sent, or -1. */
    int progress() {
        return progress;
    }
}

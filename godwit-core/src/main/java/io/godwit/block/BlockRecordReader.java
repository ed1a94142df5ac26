package io.godwit.block;

import static io.godwit.block.BlockMigration.*;

import io.godwit.stream.NamedTargets;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import io.godwit.stream.UnreadData;
import java.io.IOException;

/**
 * Reads the records of "block" sections (QEMU migration/block.c, version 1) one at a time, and
 * verifies each before returning it: the destination's loader and {@code godwit inspect} both
 * read them here.
 *
 * <pre>
 * record    be64 word [disk] [data]
 * word      bits 63..9: the chunk's byte offset (a sector number shifted left by 9), or for
 *           PROGRESS the bulk phase's percentage; bits 8..0: flags DEVICE_BLOCK 0x01, EOS 0x02,
 *           PROGRESS 0x04, ZERO_BLOCK 0x08
 * disk      DEVICE_BLOCK: u8 length + the disk's name
 * data      DEVICE_BLOCK without ZERO_BLOCK: the chunk, 1 MiB (a last chunk that is shorter in the
 *           image is sent whole, zero past its end)
 * </pre>
 * A record is a chunk (DEVICE_BLOCK), else PROGRESS, else EOS alone; other flags beside them are
 * not looked at, as QEMU does not. EOS may be set on any record and ends the section. A chunk
 * must start within its disk when the disk's size is known.
 *
 * @param <D> what the caller knows a disk as; it refuses names of disks it does not have
 */
public final class BlockRecordReader<D> {
    private final NamedTargets<D> disks;
    private final UnreadData data = new UnreadData("chunk data");

    public BlockRecordReader(NamedTargets<D> disks) {
        this.disks = disks;
    }

    /** Refuses a section of another version than the one this reader knows. */
    public static void checkVersion(int version, long at) throws StreamFormatException {
        if (version != VERSION) {
            throw new StreamFormatException("block section version " + version + "; expected " + VERSION, at);
        }
    }

    /** The next record of {@code in}, verified; the data of a chunk before it must have been read. */
    public BlockRecord<D> next(StreamInput in) throws IOException {
        data.checkRead(in);
        long at = in.position();
        long word = in.getBe64();
        long flags = word & (BlockDevice.SECTOR - 1);
        boolean last = (flags & FLAG_EOS) != 0;
        if ((flags & FLAG_DEVICE_BLOCK) != 0) {
            long offset = (word >>> SECTOR_BITS) << SECTOR_BITS;
            String name = in.getString8();
            D disk = disks.named(name, at);
            long size = disks.size(disk);
            if (offset < 0) {
                throw new StreamFormatException("block chunk at offset " + Long.toUnsignedString(offset) + " of '"
                        + name + "'; expected an offset below 2^63", at);
            }
            if (size >= 0 && offset >= size) {
                throw new StreamFormatException("block chunk at offset " + offset + " beyond the image of '" + name
                        + "' (" + size + " bytes)", at);
            }
            boolean zero = (flags & FLAG_ZERO_BLOCK) != 0;
            if (!zero) {
                data.follow(in, BlockDevice.CHUNK);
            }
            return new BlockRecord.Chunk<>(at, disk, offset, zero, last);
        } else if ((flags & FLAG_PROGRESS) != 0) {
            return new BlockRecord.Progress<>(at, (int) (word >>> SECTOR_BITS), last);
        } else if (!last) {
            throw new StreamFormatException(String.format("unknown block migration flags 0x%x; expected "
                    + "DEVICE_BLOCK, PROGRESS or EOS", flags), at);
        }
        return new BlockRecord.Eos<>(at);
    }
}

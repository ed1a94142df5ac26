package io.godwit.block;

import io.godwit.options.Capabilities;
import io.godwit.savevm.LoadContext;
import io.godwit.stream.Bytes;
import io.godwit.stream.NamedTargets;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Disks and block-section payloads for the block tests. */
final class BlockStreams {
    static final int MIB = 1 << 20;
    static final long DEVICE_BLOCK = 0x01;
    static final long EOS = 0x02;
    static final long PROGRESS = 0x04;
    static final long ZERO_BLOCK = 0x08;

    private BlockStreams() {}

    /** One record as the source wrote it: the be64 word split into offset and flags, the disk named. */
    record Chunk(long offset, long flags, String disk) {}

    static BlockDevice disk(Path dir, String name, long size) throws IOException {
        return BlockDevice.open(name, dir.resolve(name + ".img"), size);
    }

    /** Writes {@code len} bytes of {@code value} at {@code offset}, as the guest would (marked). */
    static void fill(BlockDevice d, long offset, int len, int value) throws IOException {
        byte[] b = new byte[len];
        Arrays.fill(b, (byte) value);
        d.write(offset, ByteBuffer.wrap(b));
    }

    /** The {@code len} bytes of the image at {@code offset}. */
    static byte[] read(BlockDevice d, long offset, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        d.read(offset, b);
        return b.array();
    }

    /** A record word: a byte offset with flags in its low 9 bits. */
    static byte[] word(long offset, long flags) {
        return Bytes.be64(offset | flags);
    }

    static byte[] progress(int percent) {
        return Bytes.be64(((long) percent << 9) | PROGRESS);
    }

    /** A DEVICE_BLOCK record carrying {@code data} (1 MiB). */
    static byte[] block(long offset, String disk, byte[] data) {
        return Bytes.concat(word(offset, DEVICE_BLOCK), Bytes.str8(disk), data);
    }

    /** 1 MiB of zeroes with {@code value} at {@code at}. */
    static byte[] chunkWith(int at, int value) {
        byte[] b = new byte[MIB];
        b[at] = (byte) value;
        return b;
    }

    /** Loads each payload as one section into a fresh destination handler over {@code disks}. */
    static void load(List<BlockDevice> disks, List<byte[]> payloads) throws IOException {
        BlockMigration dest = new BlockMigration(() -> disks);
        LoadContext setup = new LoadContext(Bytes.input(new byte[0]), Capabilities.defaults(), () -> {});
        dest.loadSetup(setup);
        for (byte[] p : payloads) {
            StreamInput in = Bytes.input(p);
            dest.loadState(new LoadContext(in, Capabilities.defaults(), () -> {}), BlockMigration.VERSION);
            if (in.hasMore()) {
                throw new AssertionError("section payload not read to its end: stopped at " + in.position());
            }
        }
        dest.loadCleanup();
    }

    /** The DEVICE_BLOCK records of the payloads, in order, as the engine's reader reads them. */
    static List<Chunk> chunks(List<byte[]> payloads) throws IOException {
        List<Chunk> out = new ArrayList<>();
        BlockRecordReader<String> reader = new BlockRecordReader<>(anyDisk());
        for (byte[] p : payloads) {
            StreamInput in = Bytes.input(p);
            while (in.hasMore()) {
                if (reader.next(in) instanceof BlockRecord.Chunk<String> c) {
                    if (!c.zero()) {
                        in.skip(MIB);
                    }
                    out.add(new Chunk(c.offset(), DEVICE_BLOCK | (c.zero() ? ZERO_BLOCK : 0), c.disk()));
                }
            }
        }
        return out;
    }

    /** Disks of any name and of unknown size. */
    static NamedTargets<String> anyDisk() {
        return NamedTargets.anyName(name -> -1);
    }
}

package io.godwit.block;

import static io.godwit.block.BlockStreams.MIB;
import static io.godwit.block.BlockStreams.anyDisk;
import static io.godwit.block.BlockStreams.chunkWith;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Refusal.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.stream.Bytes;
import io.godwit.stream.NamedTargets;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Block records decoded from hand-written bytes and from what the source writes. */
class BlockRecordReaderTest {
    @TempDir
    Path dir;

    /** Every record of the payload; each chunk's data is checked to be {@code data} and read. */
    static List<BlockRecord<String>> readAll(BlockRecordReader<String> reader, byte[] payload, byte[] data)
            throws IOException {
        StreamInput in = Bytes.chopped(payload, 4096);
        List<BlockRecord<String>> out = new ArrayList<>();
        BlockRecord<String> r;
        do {
            r = reader.next(in);
            if (r instanceof BlockRecord.Chunk<String> c && !c.zero()) {
                assertThat(in.getBytes(MIB)).isEqualTo(data);
            }
            out.add(r);
        } while (!r.last());
        assertThat(in.hasMore()).as("read to the end").isFalse();
        return out;
    }

    static NamedTargets<String> disk(String only, long size) {
        return new NamedTargets<>(name -> name.equals(only) ? name : null, name -> name, name -> size,
                name -> "no disk '" + name + "'");
    }

    @Test
    void decodesHandWrittenRecords() throws IOException {
        byte[] data = chunkWith(5, 0x5a);
        byte[] payload = concat(hex("00000000 00100001 02 6430"), data, // DEVICE_BLOCK at 1 MiB
                hex("00000000 00200009 02 6430"), // DEVICE_BLOCK | ZERO_BLOCK at 2 MiB
                hex("00000000 00006404"), // PROGRESS 50
                hex("00000000 0000c806")); // PROGRESS 100 | EOS
        assertThat(readAll(new BlockRecordReader<>(disk("d0", 3 * MIB)), payload, data)).containsExactly(
                new BlockRecord.Chunk<>(0, "d0", MIB, false, false),
                new BlockRecord.Chunk<>(11 + MIB, "d0", 2 * MIB, true, false),
                new BlockRecord.Progress<>(22 + MIB, 50, false),
                new BlockRecord.Progress<>(30 + MIB, 100, true));
    }

    @Test
    void readsBackWhatTheSourceWrites() throws IOException {
        try (BlockDevice d0 = BlockStreams.disk(dir, "d0", 2 * MIB)) {
            BlockStreams.fill(d0, 7, 1, 0x5a);
            BlockSource src = new BlockSource(Capabilities.of(Capability.BLOCK, Capability.ZERO_BLOCKS), d0);
            BlockRecordReader<String> reader = new BlockRecordReader<>(disk("d0", 2 * MIB));
            assertThat(readAll(reader, src.setup(), null)).containsExactly(new BlockRecord.Eos<>(0));
            assertThat(readAll(reader, src.iterate(2), chunkWith(7, 0x5a))).containsExactly(
                    new BlockRecord.Chunk<>(0, "d0", 0, false, false),
                    new BlockRecord.Progress<>(11 + MIB, 50, false),
                    new BlockRecord.Chunk<>(19 + MIB, "d0", MIB, true, false),
                    new BlockRecord.Progress<>(30 + MIB, 100, false),
                    new BlockRecord.Eos<>(38 + MIB));
        }
    }

    @Test
    void checksAChunkAgainstTheDiskOnlyWhenItsSizeIsKnown() throws IOException {
        byte[] payload = hex("00000001 00000009 02 6430 00000000 00000002");
        assertThat(readAll(new BlockRecordReader<>(anyDisk()), payload, null).getFirst())
                .isEqualTo(new BlockRecord.Chunk<>(0, "d0", 1L << 32, true, false));
        assertRefused(() -> readAll(new BlockRecordReader<>(disk("d0", MIB)), payload, null),
                StreamFormatException.class, 0, "block chunk at offset 4294967296 beyond the image of 'd0' (1048576 bytes)");
    }

    @Test
    void refusesAChunkWhoseOffsetDoesNotFitALong() {
        byte[] payload = hex("80000000 00000009 02 6430 00000000 00000002");
        assertRefused(() -> readAll(new BlockRecordReader<>(anyDisk()), payload, null), StreamFormatException.class, 0,
                "block chunk at offset 9223372036854775808 of 'd0'; expected an offset below 2^63");
    }

    @Test
    void refusesTheNextRecordBeforeTheDataOfThisChunkIsRead() throws IOException {
        StreamInput in = Bytes.input(concat(hex("00000000 00000001 02 6430"), new byte[MIB], hex("00000000 00000002")));
        BlockRecordReader<String> reader = new BlockRecordReader<>(anyDisk());
        reader.next(in);
        assertThatThrownBy(() -> reader.next(in)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("chunk data after the previous record must be read first");
    }

    @Test
    void refusesASectionOfAnotherVersion() {
        assertRefused(() -> BlockRecordReader.checkVersion(0, 3), StreamFormatException.class, 3,
                "block section version 0; expected 1");
    }
}

package io.godwit.bitmap;

import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Refusal.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.godwit.block.BlockDevice;
import io.godwit.block.BlockDirtyBitmap;
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

/** Dirty-bitmap records decoded from hand-written bytes and from what the source writes. */
class BitmapRecordReaderTest {
    static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    static List<BitmapRecord<String>> readAll(BitmapRecordReader<String> reader, byte[] payload) throws IOException {
        StreamInput in = Bytes.chopped(payload, 5);
        List<BitmapRecord<String>> out = new ArrayList<>();
        BitmapRecord<String> r;
        do {
            r = reader.next(in);
            if (r instanceof BitmapRecord.Bits<String> b) {
                in.skip(b.dataBytes());
            }
            out.add(r);
        } while (!r.last());
        assertThat(in.hasMore()).as("read to the end").isFalse();
        return out;
    }

    /** Disk d0 of {@code d0Size} bytes (-1: not known); other names are refused. */
    static BitmapRecordReader<String> reader(long d0Size) {
        return new BitmapRecordReader<>(new NamedTargets<>(name -> name.equals("d0") ? name : null, name -> name,
                name -> d0Size, name -> "no disk '" + name + "'"));
    }

    @Test
    void decodesHandWrittenRecordsWithNamesCarriedOver() throws IOException {
        byte[] payload = concat(hex("1c 02 6430 02 6231 00010000 03"), // START d0/b1, 64 KiB, enabled, persistent
                hex("40 00000000 00000000 00000800 00000000 00000008"), hex("05 00 00 00 00 00 00 00"),
                hex("42 00000000 00000000 00000800"), // BITS | ZEROES, names unchanged
                hex("21")); // COMPLETE | EOS
        assertThat(readAll(reader(MIB), payload)).containsExactly(
                new BitmapRecord.Start<>(0, "d0", "b1", 65536, true, true, false),
                new BitmapRecord.Bits<>(12, "d0", "b1", 0, 2048, 0, 16, false, 8, false),
                new BitmapRecord.Bits<>(41, "d0", "b1", 0, 2048, 0, 16, true, 0, false),
                new BitmapRecord.Complete<>(54, "d0", "b1", true));
    }

    @Test
    void decodesTwoAndFourByteFlagsWithoutTheirContinuationBits() throws IOException {
        byte[] payload = concat(hex("80 1c 02 6430 02 6231 00000200 00"), hex("80 80 00 20"), hex("80 01"));
        assertThat(readAll(reader(MIB), payload)).containsExactly(
                new BitmapRecord.Start<>(0, "d0", "b1", 512, false, false, false),
                new BitmapRecord.Complete<>(13, "d0", "b1", false),
                new BitmapRecord.Eos<>(17));
    }

    @Test
    void readsBackWhatTheSourceWrites() throws IOException {
        try (BlockDevice d0 = BlockDevice.open("d0", dir.resolve("d0.img"), 5 * MIB)) {
            BlockDirtyBitmap fine = d0.addBitmap("fine", 512, false, false);
            fine.set(8195 * 512, 1);
            d0.addBitmap("coarse", 1 << 20, true, true);
            BitmapSource src = new BitmapSource(d0);
            BitmapRecordReader<String> reader = reader(5 * MIB);

            assertThat(readAll(reader, src.setup())).containsExactly(
                    new BitmapRecord.Start<>(0, "d0", "fine", 512, false, false, false),
                    new BitmapRecord.Start<>(14, "d0", "coarse", 1 << 20, true, true, false),
                    new BitmapRecord.Eos<>(27));
            List<BitmapRecord<String>> complete = readAll(reader, src.complete());
            assertThat(complete).extracting(r -> r.getClass().getSimpleName()).containsExactly(
                    "Bits", "Bits", "Bits", "Complete", "Complete", "Eos");
            assertThat(complete.subList(0, 3)).extracting("bitmap", "firstBit", "bits", "zeroes", "dataBytes")
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("fine", 0L, 8192L, true, 0L),
                            org.assertj.core.groups.Tuple.tuple("fine", 8192L, 2048L, false, 256L),
                            org.assertj.core.groups.Tuple.tuple("coarse", 0L, 5L, true, 0L));
        }
    }

    @Test
    void checksChunksAgainstTheDiskOnlyWhenItsSizeIsKnown() throws IOException {
        byte[] start = hex("1c 02 6430 02 6231 00000200 00");
        byte[] farChunk = concat(hex("40"), Bytes.be64(1L << 30), Bytes.be32(64), Bytes.be64(8), new byte[8], hex("01"));
        assertThat(readAll(reader(-1), concat(start, farChunk)).get(1))
                .isEqualTo(new BitmapRecord.Bits<>(12, "d0", "b1", 1L << 30, 64, 1L << 30, 64, false, 8, false));
        assertRefused(() -> readAll(reader(MIB), concat(start, farChunk)), StreamFormatException.class, 12,
                "dirty bitmap 'b1' chunk of 64 sectors at sector 1073741824 outside disk 'd0'");
    }

    @Test
    void refusesSectorsWhoseOffsetDoesNotFitALong() {
        byte[] payload = concat(hex("1c 02 6430 02 6231 00000200 00 40"), Bytes.be64(-64), Bytes.be32(64), hex("01"));
        assertRefused(() -> readAll(reader(-1), payload), StreamFormatException.class, 12,
                "chunk of 64 sectors at sector -64 outside disk 'd0'");
    }

    @Test
    void refusesTheNextRecordBeforeTheBitsOfThisOneAreRead() throws IOException {
        StreamInput in = Bytes.input(concat(hex("1c 02 6430 02 6231 00010000 03"),
                hex("40 00000000 00000000 00000800 00000000 00000008"), new byte[8], hex("01")));
        BitmapRecordReader<String> reader = reader(MIB);
        reader.next(in);
        reader.next(in);
        assertThatThrownBy(() -> reader.next(in)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bits after the previous record must be read first");
    }

    @Test
    void refusesASectionOfAnotherVersion() {
        assertRefused(() -> BitmapRecordReader.checkVersion(2, 7), StreamFormatException.class, 7,
                "dirty-bitmap section version 2; expected 1");
    }
}

package io.godwit.bitmap;

import io.godwit.block.BlockDirtyBitmap;
import static io.godwit.bitmap.BitmapSource.destination;
import static io.godwit.bitmap.BitmapSource.load;
import static io.godwit.stream.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bitmaps migrated into a destination's disks arrive bit for bit with their flags; while they
 * load they do not record, and those the source had enabled record again after COMPLETE.
 */
class BitmapMigrationRoundTripTest {
    static final long MIB = 1 << 20;

    @TempDir
    Path src;
    @TempDir
    Path dst;

    static void write(BlockDevice d, long offset, int len) throws IOException {
        d.write(offset, ByteBuffer.allocate(len));
    }

    /** Marks about one granule in {@code every}, at random. */
    static void scatter(BlockDirtyBitmap b, long size, int every, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (long g = 0; g < b.bits(); g++) {
            if (r.nextInt(every) == 0) {
                b.set(g * b.granularity(), 1);
            }
        }
    }

    @Test
    void bitmapsArriveBitForBitWithTheirFlags() throws IOException {
        long size = 5 * MIB + 512; // not a multiple of any granularity used
        try (BlockDevice a = BlockDevice.open("a", src.resolve("a"), size);
                BlockDevice c = BlockDevice.open("c", src.resolve("c"), 2 * MIB);
                BlockDevice a2 = BlockDevice.open("a", dst.resolve("a"), size);
                BlockDevice c2 = BlockDevice.open("c", dst.resolve("c"), 2 * MIB)) {
            BlockDirtyBitmap inc = a.addBitmap("inc", 65536, true, true);
            write(a, 0, 1);
            write(a, 3 * MIB + 100, 70000); // granules 48..49
            write(a, size - 1, 1); // the last, partial granule
            BlockDirtyBitmap fine = a.addBitmap("fine", 512, false, false);
            scatter(fine, size, 7, 1); // 10241 bits: two chunks, the second partial
            BlockDirtyBitmap other = c.addBitmap("inc", 4096, true, false);
            scatter(other, 2 * MIB, 3, 2);

            BitmapSource s = new BitmapSource(a, c);
            BitmapMigration dest = destination(a2, c2);
            load(dest, s.setup());
            load(dest, s.iterate());
            load(dest, s.complete());

            assertThat(a2.bitmaps()).extracting(BlockDirtyBitmap::name).containsExactly("inc", "fine");
            assertEqual(a2.bitmap("inc"), inc);
            assertEqual(a2.bitmap("fine"), fine);
            assertEqual(c2.bitmap("inc"), other);
            assertThat(a2.bitmap("inc").count()).isEqualTo(4);
        }
    }

    private static void assertEqual(BlockDirtyBitmap got, BlockDirtyBitmap want) {
        assertThat(got).as(want.name()).isNotNull();
        assertThat(got.sha256()).as("bits of %s", want.name()).isEqualTo(want.sha256());
        assertThat(got.count()).isEqualTo(want.count());
        assertThat(got.granularity()).isEqualTo(want.granularity());
        assertThat(got.bits()).isEqualTo(want.bits());
        assertThat(got.enabled()).as("enabled").isEqualTo(want.enabled());
        assertThat(got.persistent()).as("persistent").isEqualTo(want.persistent());
    }

    @Test
    void bitmapDoesNotRecordWhileLoadingAndRecordsAfterComplete() throws IOException {
        try (BlockDevice a = BlockDevice.open("a", src.resolve("a"), MIB);
                BlockDevice a2 = BlockDevice.open("a", dst.resolve("a"), MIB)) {
            a.addBitmap("b", 65536, true, true).set(0, 1);
            BitmapSource s = new BitmapSource(a);
            BitmapMigration dest = destination(a2);

            load(dest, s.setup());
            BlockDirtyBitmap b = a2.bitmap("b");
            assertThat(b.enabled()).as("after START").isFalse();
            write(a2, 2 * 65536, 1);
            assertThat(b.count()).isZero();

            byte[] complete = s.complete();
            assertThat(complete).endsWith(hex("20 01"));
            load(dest, concat(java.util.Arrays.copyOf(complete, complete.length - 2), hex("01"))); // the bits
            assertThat(b.enabled()).as("bits in, before COMPLETE").isFalse();
            write(a2, 3 * 65536, 1);
            assertThat(b.count()).isEqualTo(1);

            load(dest, hex("20 01")); // COMPLETE, EOS
            assertThat(b.enabled()).as("after COMPLETE").isTrue();
            write(a2, 4 * 65536, 1);
            assertThat(b.get(0)).isTrue();
            assertThat(b.get(4)).isTrue();
            assertThat(b.count()).isEqualTo(2);
        }
    }

    @Test
    void disabledBitmapStaysDisabledAndDoesNotRecord() throws IOException {
        try (BlockDevice a = BlockDevice.open("a", src.resolve("a"), MIB);
                BlockDevice a2 = BlockDevice.open("a", dst.resolve("a"), MIB)) {
            a.addBitmap("frozen", 65536, false, true).set(65536, 1);
            BitmapSource s = new BitmapSource(a);
            BitmapMigration dest = destination(a2);
            load(dest, s.setup());
            load(dest, s.complete());

            BlockDirtyBitmap b = a2.bitmap("frozen");
            assertThat(b.enabled()).isFalse();
            assertThat(b.persistent()).isTrue();
            write(a2, 0, (int) MIB);
            assertThat(b.count()).isEqualTo(1);
            assertThat(b.get(1)).isTrue();
        }
    }

    @Test
    void loadsTheSameBytesReadInTinyBuffers() throws IOException {
        try (BlockDevice a = BlockDevice.open("a", src.resolve("a"), 5 * MIB);
                BlockDevice a2 = BlockDevice.open("a", dst.resolve("a"), 5 * MIB)) {
            BlockDirtyBitmap b = a.addBitmap("b", 512, true, false);
            scatter(b, 5 * MIB, 5, 9);
            BitmapSource s = new BitmapSource(a);
            BitmapMigration dest = destination(a2);
            for (byte[] p : new byte[][] {s.setup(), s.complete()}) {
                dest.loadState(new io.godwit.savevm.LoadContext(io.godwit.stream.Bytes.chopped(p, 4),
                        io.godwit.options.Capabilities.defaults(), () -> {}), BitmapMigration.VERSION);
            }
            assertThat(a2.bitmap("b").sha256()).isEqualTo(b.sha256());
        }
    }

    private static byte[] concat(byte[]... parts) {
        return io.godwit.stream.Bytes.concat(parts);
    }
}

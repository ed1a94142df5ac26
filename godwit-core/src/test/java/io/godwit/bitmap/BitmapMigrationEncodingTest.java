package io.godwit.bitmap;

import io.godwit.block.BlockDirtyBitmap;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.block.BlockDevice;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.savevm.Pending;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What dirty-bitmap migration writes (migration/block-dirty-bitmap.c), in the record layout that
 * {@link BitmapRecordReader} documents: the disk and bitmap names only when they differ from the
 * previous record's, bits in chunks of 8192, the buffer of little-endian words aligned up to 32
 * bytes. Golden bytes written by hand.
 */
class BitmapMigrationEncodingTest {
    static final long MIB = 1 << 20;
    static final byte[] EOS = hex("01");

    @TempDir
    Path dir;
    BlockDevice d0;

    @BeforeEach
    void open() throws IOException {
        d0 = BlockDevice.open("d0", dir.resolve("d0.img"), MIB);
    }

    @AfterEach
    void close() throws IOException {
        d0.close();
    }

    @Test
    void setupStartsEachBitmapNamingDiskAndBitmapOnlyWhenTheyChange() throws IOException {
        try (BlockDevice d1 = BlockDevice.open("d1", dir.resolve("d1.img"), MIB)) {
            d0.addBitmap("b1", 65536, true, true);
            d0.addBitmap("b2", 512, false, false);
            d1.addBitmap("b1", 4096, true, false);
            BitmapSource src = new BitmapSource(d0, d1);
            assertThat(src.setup()).containsExactly(hex("""
                    1c 02 6430 02 6231 00010000 03
                    14 02 6232 00000200 00
                    1c 02 6431 02 6231 00001000 01
                    01"""));
        }
    }

    @Test
    void iterationSendsOnlyEos() throws IOException {
        d0.addBitmap("b1", 65536, true, false).set(0, MIB);
        BitmapSource src = new BitmapSource(d0);
        src.setup();
        assertThat(src.iterate()).containsExactly(EOS);
        assertThat(src.handler.saveLiveIterate(src.ctx)).isTrue();
    }

    @Test
    void completeSendsBitsAsLittleEndianWordsPaddedTo32BytesThenCompleteAndEos() throws IOException {
        try (BlockDevice odd = BlockDevice.open("d0", dir.resolve("odd.img"), MIB + 512)) {
            BlockDirtyBitmap b = odd.addBitmap("b1", 65536, true, true); // 17 bits over 2049 sectors
            b.set(0, 1);
            b.set(5 * 65536, 1);
            b.set(MIB, 512); // bit 16: the last granule, partly past the disk
            BitmapSource src = new BitmapSource(odd);
            assertThat(src.setup()).containsExactly(hex("1c 02 6430 02 6231 00010000 03 01"));
            assertThat(src.complete()).containsExactly(concat(
                    hex("40 00000000 00000000 00000801 00000000 00000020"), // BITS, names unchanged
                    hex("21 00 01 00 00 00 00 00"), new byte[24],
                    hex("20"), // COMPLETE
                    EOS));
        }
    }

    @Test
    void allZeroChunkGoesAsZeroesWithoutBuffer() throws IOException {
        d0.addBitmap("b1", 65536, false, false);
        BitmapSource src = new BitmapSource(d0);
        src.setup();
        assertThat(src.complete()).containsExactly(hex("42 00000000 00000000 00000800  20  01"));
    }

    @Test
    void namesTheBitmapWhenItDiffersFromThePreviousRecords() throws IOException {
        d0.addBitmap("b1", 65536, true, false).set(15 * 65536, 1);
        d0.addBitmap("b2", 1 << 20, true, false);
        BitmapSource src = new BitmapSource(d0);
        src.setup(); // leaves b2 as the last named
        assertThat(src.complete()).containsExactly(concat(
                hex("44 02 6231 00000000 00000000 00000800 00000000 00000020"),
                hex("00 80 00 00 00 00 00 00"), new byte[24],
                hex("46 02 6232 00000000 00000000 00000800"), // BITS | ZEROES | BITMAP_NAME
                hex("24 02 6231"), // COMPLETE | BITMAP_NAME
                hex("24 02 6232"),
                EOS));
    }

    @Test
    void sendsChunksOf8192Bits() throws IOException {
        try (BlockDevice big = BlockDevice.open("d0", dir.resolve("big.img"), 5 * MIB)) {
            big.addBitmap("b1", 512, true, false).set((8192 + 3) * 512, 1); // 10240 bits; bit 8195
            BitmapSource src = new BitmapSource(big);
            src.setup();
            byte[] words = new byte[256];
            words[0] = 0x08;
            assertThat(src.complete()).containsExactly(concat(
                    hex("42 00000000 00000000 00002000"), // bits 0..8191 are zero
                    hex("40 00000000 00002000 00000800 00000000 00000100"), words, // bits 8192..10239
                    hex("20 01")));
        }
    }

    @Test
    void activeOnlyWithTheCapabilityAndABitmap() throws IOException {
        assertThat(new BitmapSource(d0).handler.isActive()).as("no bitmap").isFalse();
        d0.addBitmap("b1", 512, true, false);
        assertThat(new BitmapSource(d0).handler.isActive()).isTrue();
        assertThat(new BitmapSource(Capabilities.defaults(), d0).handler.isActive()).isFalse();
        assertThat(new BitmapSource(Capabilities.of(Capability.BLOCK), d0).handler.isActive()).isFalse();
        assertThat(new BitmapSource(d0).handler.hasPostcopy()).isTrue();
    }

    @Test
    void reportsItsBitsAsPendingThatCanFollowTheSwitch() throws IOException {
        d0.addBitmap("b1", 512, true, false);
        d0.addBitmap("b2", 65536, true, false);
        BitmapSource src = new BitmapSource(d0);
        src.setup();
        Pending p = new Pending();
        src.handler.pendingEstimate(0, p);
        assertThat(p.canPostcopy()).isEqualTo(2048 + 16);
        assertThat(p.mustPrecopy()).isZero();
    }

    @Test
    void afterTheSwitchTheFirstIterationSendsTheBitsAndTheEndOnlyCompletes() throws IOException {
        d0.addBitmap("b1", 65536, false, false);
        BitmapSource src = new BitmapSource(d0);
        src.setup();
        assertThat(src.iterate()).as("pre-copy: nothing yet").containsExactly(EOS);
        src.ctx.enterPostcopy();
        assertThat(src.iterate()).containsExactly(hex("42 00000000 00000000 00000800  01"));
        assertThat(src.estimate(0).total()).as("nothing left once the bits went").isZero();
        src.handler.saveLiveCompletePostcopy(src.ctx);
        assertThat(src.take()).containsExactly(hex("20 01"));
    }
}

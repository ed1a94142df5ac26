package io.godwit.bitmap;

import io.godwit.block.BlockDirtyBitmap;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Bytes.prefix;
import static io.godwit.stream.Refusal.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.block.BlockDevice;
import io.godwit.options.Capabilities;
import io.godwit.savevm.LoadContext;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import io.godwit.stream.TruncatedStreamException;
import java.io.IOException;
import java.nio.file.Path;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Dirty-bitmap payloads the destination refuses (block-dirty-bitmap.c dirty_bitmap_load rules),
 * with the offset of the record at fault, and the flags encodings it reads: one byte, or two or
 * four when bit 7 of a byte says another follows.
 */
class BitmapLoadRefusalTest {
    static final long MIB = 1 << 20;
    /** START of bitmap "b0" on disk "d0", granularity 64 KiB, enabled and persistent: 16 bits. */
    static final byte[] START_B0 = hex("1c 02 6430 02 6230 00010000 03"); // 12 bytes

    @TempDir
    Path dir;
    BlockDevice d0;
    BlockDirtyBitmap old;

    @BeforeEach
    void open() throws IOException {
        d0 = BlockDevice.open("d0", dir.resolve("d0.img"), MIB);
        old = d0.addBitmap("old", 65536, true, false);
        old.set(0, 1);
    }

    @AfterEach
    void close() throws IOException {
        d0.close();
    }

    private StreamInput load(byte[] payload) throws IOException {
        StreamInput in = Bytes.chopped(payload, 13);
        BitmapSource.destination(d0).loadState(new LoadContext(in, Capabilities.defaults(), () -> {}),
                BitmapMigration.VERSION);
        return in;
    }

    private ThrowingCallable loading(byte[] payload) {
        return () -> load(payload);
    }

    /** BITS for bitmap {@code name} of d0, both names given, with a buffer of {@code size} bytes. */
    static byte[] bits(String name, long sector, int sectors, long size, byte[] buffer) {
        return concat(hex("4c 02 6430"), Bytes.str8(name), Bytes.be64(sector), Bytes.be32(sectors), Bytes.be64(size),
                buffer);
    }

    private void assertOnlyOldAnd(String... names) {
        assertThat(d0.bitmaps()).extracting(BlockDirtyBitmap::name).containsExactly(
                concatNames("old", names));
        assertThat(old.count()).as("the destination's own bitmap").isEqualTo(1);
        assertThat(old.enabled()).isTrue();
    }

    private static String[] concatNames(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    @Test
    void refusesStartOnUnknownDisk() {
        byte[] payload = concat(START_B0, hex("1c 02 7a7a 02 6231 00010000 03 01"));
        assertRefused(loading(payload), StreamFormatException.class, 12, "dirty bitmap on unknown disk 'zz'");
        assertOnlyOldAnd("b0");
    }

    @Test
    void refusesStartOfABitmapThatAlreadyExistsHere() {
        byte[] payload = concat(START_B0, hex("14 03 6f6c64 00000200 00 01"));
        assertRefused(loading(payload), StreamFormatException.class, 12,
                "Bitmap with the same name ('old') already exists on destination disk 'd0'");
        assertOnlyOldAnd("b0");
        assertThat(old.granularity()).isEqualTo(65536);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x08, 0x10, 0x80, 0xf8, 0xfb})
    void refusesStartWithReservedFlags(int flags) {
        byte[] payload = concat(prefix(START_B0, 11), Bytes.u8(flags), hex("01"));
        assertRefused(loading(payload), StreamFormatException.class, 0,
                String.format("unknown flags in migrated dirty bitmap header: 0x%x", flags));
        assertOnlyOldAnd();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 256, 1000, 65535, -65536})
    void refusesStartWithInvalidGranularity(int granularity) {
        byte[] payload = concat(hex("1c 02 6430 02 6230"), Bytes.be32(granularity), hex("01 01"));
        assertRefused(loading(payload), StreamFormatException.class, 0,
                "dirty bitmap 'b0': Granularity must be power of 2");
        assertOnlyOldAnd();
    }

    @Test
    void acceptsTheObsoleteAutoloadStartFlag() throws IOException {
        byte[] payload = concat(prefix(START_B0, 11), hex("04 01"));
        assertThat(load(payload).hasMore()).isFalse();
        assertThat(d0.bitmap("b0").persistent()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"10 00010000 01 01", "18 02 6430 00010000 01 01", "14 02 6231 00010000 01 01"})
    void refusesStartBeforeADiskAndBitmapWereNamed(String payload) {
        assertRefused(loading(hex(payload)), StreamFormatException.class, 0,
                "dirty bitmap START without a disk and bitmap name");
        assertOnlyOldAnd();
    }

    @Test
    void refusesBitsForABitmapNeverStarted() {
        byte[] payload = concat(START_B0, bits("b1", 0, 2048, 32, new byte[32]), hex("01"));
        assertRefused(loading(payload), StreamFormatException.class, 12,
                "unknown dirty bitmap 'b1' on disk 'd0': expected a START first");
    }

    @Test
    void refusesBitsForTheDestinationsOwnBitmap() {
        byte[] ones = Bytes.filled(32, 0xff);
        byte[] payload = concat(bits("old", 0, 2048, 32, ones), hex("01"));
        assertRefused(loading(payload), StreamFormatException.class, 0,
                "unknown dirty bitmap 'old' on disk 'd0': expected a START first");
        assertOnlyOldAnd();
    }

    @Test
    void refusesCompleteForABitmapNeverStarted() {
        assertRefused(loading(hex("2c 02 6430 02 6231 01")), StreamFormatException.class, 0,
                "unknown dirty bitmap 'b1' on disk 'd0': expected a START first");
        assertOnlyOldAnd();
    }

    @Test
    void refusesBitsWithoutAnyBitmapNamed() {
        byte[] payload = concat(hex("42"), Bytes.be64(0), Bytes.be32(2048), hex("01"));
        assertRefused(loading(payload), StreamFormatException.class, 0,
                "dirty bitmap record names no disk and none was named before it");
    }

    @Test
    void refusesChunkStartingPastTheDisk() {
        byte[] payload = concat(START_B0, hex("40"), Bytes.be64(2048), Bytes.be32(128), Bytes.be64(8), new byte[8],
                hex("01"));
        assertRefused(loading(payload), StreamFormatException.class, 12,
                "dirty bitmap 'b0' chunk of 128 sectors at sector 2048 outside disk 'd0'");
        assertThat(d0.bitmap("b0").count()).isZero();
    }

    @Test
    void refusesZeroesChunkReachingFarPastTheDisk() {
        byte[] payload = concat(START_B0, hex("42"), Bytes.be64(0), Bytes.be32(4096), hex("01"));
        assertRefused(loading(payload), StreamFormatException.class, 12,
                "dirty bitmap 'b0' chunk of 4096 sectors at sector 0 outside disk 'd0'");
    }

    @Test
    void refusesChunkNotStartingOnAGranule() {
        byte[] payload = concat(START_B0, hex("40"), Bytes.be64(1), Bytes.be32(128), Bytes.be64(8), new byte[8],
                hex("01"));
        assertRefused(loading(payload), StreamFormatException.class, 12,
                "dirty bitmap 'b0' chunk of 128 sectors at sector 1 outside disk 'd0'");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 7, 40, 64, 1024, -1})
    void refusesBufferOfTheWrongSize(long size) {
        // 2048 sectors at 128 sectors a bit: 16 bits, 8 bytes, sent as 8 to 32
        byte[] payload = concat(START_B0, hex("40"), Bytes.be64(0), Bytes.be32(2048), Bytes.be64(size),
                Bytes.filled(40, 0xff), hex("01"));
        assertRefused(loading(payload), StreamFormatException.class, 12,
                "dirty bitmap 'b0' chunk of " + size + " bytes; expected 8 for its granularity");
        assertThat(d0.bitmap("b0").count()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 16, 32})
    void acceptsBufferSizesFromWhatIsNeededToItsAlignment(int size) throws IOException {
        byte[] buffer = new byte[size];
        buffer[0] = 0x05;
        byte[] payload = concat(START_B0, hex("40"), Bytes.be64(0), Bytes.be32(2048), Bytes.be64(size), buffer,
                hex("01"));
        assertThat(load(payload).hasMore()).isFalse();
        assertThat(d0.bitmap("b0").get(0)).isTrue();
        assertThat(d0.bitmap("b0").get(2)).isTrue();
        assertThat(d0.bitmap("b0").count()).isEqualTo(2);
    }

    @Test
    void refusesBufferCutShortSettingNoBits() {
        byte[] payload = concat(START_B0, hex("40"), Bytes.be64(0), Bytes.be32(2048), Bytes.be64(32),
                Bytes.filled(20, 0xff));
        assertRefused(loading(payload), TruncatedStreamException.class, 12 + 1 + 8 + 4 + 8 + 20,
                "expected 12 more bytes of a 32-byte field");
        assertThat(d0.bitmap("b0").count()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"00 01:0x0", "04 02 6231 01:0x4", "0c 02 6430 02 6231 01:0xc"})
    void refusesRecordOfNoKnownKind(String payloadAndFlags) {
        String[] p = payloadAndFlags.split(":");
        assertRefused(loading(concat(START_B0, hex(p[0]))), StreamFormatException.class, 12,
                "dirty bitmap record with flags " + p[1] + "; expected START, BITS, COMPLETE or EOS");
    }

    @ParameterizedTest
    @ValueSource(strings = {"81 01:0x100", "c0 01:0x4000", "80 80 00 81:0x80", "80 80 01 01:0x100",
            "80 81 00 01:0x10000", "81 80 00 01:0x1000000"})
    void refusesUnknownFlagsInLaterBytes(String payloadAndUnknown) {
        String[] p = payloadAndUnknown.split(":");
        assertRefused(loading(concat(START_B0, hex(p[0]))), StreamFormatException.class, 12,
                "unknown dirty bitmap flags " + p[1]);
    }

    @Test
    void readsTwoByteFlags() throws IOException {
        StreamInput in = load(concat(hex("80 1c 02 6430 02 6231 00010000 01"), hex("80 20"), hex("80 01"), hex("ff")));
        assertThat(in.position()).as("stopped after the two-byte EOS").isEqualTo(13 + 2 + 2);
        assertThat(d0.bitmap("b1")).isNotNull();
        assertThat(d0.bitmap("b1").enabled()).as("COMPLETE was read").isTrue();
    }

    @Test
    void readsFourByteFlags() throws IOException {
        StreamInput in = load(concat(hex("80 80 00 1c 02 6430 02 6231 00010000 00"), hex("80 80 00 01"), hex("ff")));
        assertThat(in.position()).as("stopped after the four-byte EOS").isEqualTo(15 + 4);
        assertThat(d0.bitmap("b1")).isNotNull();
        assertThat(d0.bitmap("b1").persistent()).isFalse();
    }
}

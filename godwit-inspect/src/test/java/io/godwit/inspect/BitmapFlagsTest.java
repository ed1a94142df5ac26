package io.godwit.inspect;

import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.bitmap.BitmapMigration;
import io.godwit.block.BlockDevice;
import io.godwit.block.BlockDirtyBitmap;
import io.godwit.options.Capabilities;
import io.godwit.savevm.LoadContext;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamInput;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dirty-bitmap records whose flags take two or four bytes (bit 7 of a byte says another follows):
 * a stream the engine loads is read by inspect with the same flags.
 */
class BitmapFlagsTest {
    /** START of d0/b1 (64 KiB granularity, enabled, persistent) with two-byte flags, then a two-byte EOS. */
    static final byte[] SETUP = hex("80 1c 02 6430 02 6231 00010000 03  80 01");
    /** BITS with four-byte flags (16 bits, bits 0 and 2 set), COMPLETE with two, EOS with four. */
    static final byte[] COMPLETE = concat(hex("80 80 00 40 00000000 00000000 00000800 00000000 00000008"),
            hex("05 00 00 00 00 00 00 00  80 20  80 80 00 01"));

    @TempDir
    Path dir;

    @Test
    void multiByteFlagsTheEngineLoadsAreReadAlikeByInspect() throws Exception {
        BlockDirtyBitmap loaded;
        try (BlockDevice d0 = BlockDevice.open("d0", dir.resolve("d0.img"), 1 << 20)) {
            BitmapMigration dest = new BitmapMigration(() -> List.of(d0));
            dest.loadSetup(new LoadContext(Bytes.input(new byte[0]), Capabilities.defaults(), () -> {}));
            for (byte[] payload : List.of(SETUP, COMPLETE)) {
                StreamInput in = Bytes.input(payload);
                dest.loadState(new LoadContext(in, Capabilities.defaults(), () -> {}), BitmapMigration.VERSION);
                assertThat(in.hasMore()).as("payload read to its end").isFalse();
            }
            loaded = d0.bitmap("b1");
            assertThat(loaded.count()).isEqualTo(2);
        }
        StreamBuilder b = new StreamBuilder().header().start(1, BitmapMigration.IDSTR, 0, BitmapMigration.VERSION)
                .raw(SETUP).footer(1).end(1).raw(COMPLETE).footer(1).eof();

        InspectReport r = new StreamInspector(b.write(dir.resolve("s.bin")), null, Progress.NONE).inspect();

        assertThat(r.bitmaps.bitmaps()).hasSize(1);
        BitmapReader.Bitmap read = r.bitmaps.bitmaps().getFirst();
        assertThat(read.disk).isEqualTo("d0");
        assertThat(read.name).isEqualTo(loaded.name());
        assertThat(read.granularity).isEqualTo(loaded.granularity());
        assertThat(read.enabled).as("enabled").isEqualTo(loaded.enabled()).isTrue();
        assertThat(read.persistent).as("persistent").isEqualTo(loaded.persistent()).isTrue();
        assertThat(read.chunks).isEqualTo(1);
        assertThat(read.zeroChunks).isZero();
        assertThat(read.complete).isTrue();
        assertThat(r.sections).extracting(InspectReport.Section::type).containsExactly("START", "END");
    }
}

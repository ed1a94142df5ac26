package io.godwit.block;

import static io.godwit.block.BlockStreams.DEVICE_BLOCK;
import static io.godwit.block.BlockStreams.EOS;
import static io.godwit.block.BlockStreams.MIB;
import static io.godwit.block.BlockStreams.ZERO_BLOCK;
import static io.godwit.block.BlockStreams.block;
import static io.godwit.block.BlockStreams.chunkWith;
import static io.godwit.block.BlockStreams.progress;
import static io.godwit.block.BlockStreams.word;
import static io.godwit.stream.Bytes.ascii;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Bytes.prefix;
import static io.godwit.stream.Bytes.str8;
import static io.godwit.stream.Refusal.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.options.Capabilities;
import io.godwit.savevm.LoadContext;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.TruncatedStreamException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Block payloads the destination refuses (block.c block_load), with the offset of the record or
 * field at fault; and after each refusal the image holds nothing the refused record carried.
 */
class BlockLoadRefusalTest {
    static final long SIZE = 5 * MIB / 2;

    @TempDir
    Path dir;
    BlockDevice d0;
    byte[] before;

    @BeforeEach
    void open() throws IOException {
        d0 = BlockStreams.disk(dir, "d0", SIZE);
        BlockStreams.fill(d0, 0, (int) SIZE, 0xc3); // old contents, so that any write shows
        before = d0.digest();
    }

    @AfterEach
    void close() throws IOException {
        d0.close();
    }

    private ThrowingCallable loading(byte[] payload) {
        return () -> {
            BlockMigration dest = new BlockMigration(() -> List.of(d0));
            LoadContext ctx = new LoadContext(Bytes.chopped(payload, 7), Capabilities.defaults(), () -> {});
            dest.loadSetup(ctx);
            dest.loadState(ctx, BlockMigration.VERSION);
        };
    }

    private void assertImageUnchanged() throws IOException {
        assertThat(d0.digest()).as("image unchanged").isEqualTo(before);
    }

    @Test
    void refusesDataChunkCutShortAndWritesNothingOfIt() throws IOException {
        byte[] payload = prefix(block(MIB, "d0", chunkWith(0, 0x01)), 8 + 3 + 1000);
        assertRefused(loading(payload), TruncatedStreamException.class, 1011,
                "truncated stream: expected " + (MIB - 1000) + " more bytes of data");
        assertImageUnchanged();
    }

    @Test
    void keepsTheChunksBeforeATruncatedOneAndNothingOfIt() throws IOException {
        byte[] whole = block(0, "d0", chunkWith(9, 0x42));
        byte[] cut = prefix(block(MIB, "d0", chunkWith(0, 0x01)), 11 + MIB - 1);
        assertRefused(loading(concat(whole, cut)), TruncatedStreamException.class, 2L * (11 + MIB) - 1,
                "expected 1 more bytes of data");
        assertThat(BlockStreams.read(d0, 0, 10)).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42);
        assertThat(BlockStreams.read(d0, MIB, 4)).as("the cut chunk").containsOnly(0xc3);
    }

    @Test
    void refusesDiskNameCutShort() throws IOException {
        byte[] payload = concat(word(0, DEVICE_BLOCK), hex("02"), ascii("d"));
        assertRefused(loading(payload), TruncatedStreamException.class, 10,
                "expected 1 more bytes of a 2-byte field");
        assertImageUnchanged();
    }

    @Test
    void refusesRecordWordCutShort() throws IOException {
        byte[] payload = concat(progress(10), hex("00 00 00"));
        assertRefused(loading(payload), TruncatedStreamException.class, 8, "expected 8 bytes, stream ended");
    }

    @Test
    void refusesSectionEndingWithoutEos() throws IOException {
        byte[] payload = concat(progress(10), word(0, DEVICE_BLOCK | ZERO_BLOCK), str8("d0"));
        assertRefused(loading(payload), TruncatedStreamException.class, 19, "expected 8 bytes, stream ended");
    }

    @Test
    void refusesChunkAtTheEndOfTheImage() throws IOException {
        byte[] payload = concat(progress(10), block(SIZE, "d0", chunkWith(0, 1)), word(0, EOS));
        assertRefused(loading(payload), StreamFormatException.class, 8,
                "block chunk at offset 2621440 beyond the image of 'd0' (2621440 bytes)");
        assertImageUnchanged();
    }

    @Test
    void refusesZeroChunkBeyondTheImage() throws IOException {
        byte[] payload = concat(word(3 * MIB, DEVICE_BLOCK | ZERO_BLOCK), str8("d0"), word(0, EOS));
        assertRefused(loading(payload), StreamFormatException.class, 0,
                "block chunk at offset 3145728 beyond the image of 'd0' (2621440 bytes)");
        assertImageUnchanged();
    }

    @Test
    void refusesChunkForUnknownDisk() throws IOException {
        byte[] payload = concat(progress(10), block(0, "d9", chunkWith(0, 1)), word(0, EOS));
        assertRefused(loading(payload), StreamFormatException.class, 8,
                "unknown block device 'd9': expected one of [d0]");
        assertImageUnchanged();
    }

    @ParameterizedTest
    @ValueSource(longs = {0x10, 0x20, 0x100, ZERO_BLOCK, 0x1f8})
    void refusesRecordWithUnknownFlags(long flags) throws IOException {
        byte[] payload = concat(progress(10), word(MIB, flags), chunkWith(0, 1), word(0, EOS));
        assertRefused(loading(payload), StreamFormatException.class, 8,
                String.format("unknown block migration flags 0x%x; expected DEVICE_BLOCK, PROGRESS or EOS", flags));
        assertImageUnchanged();
    }

    @Test
    void acceptsZeroChunkAndWritesZeroesOverOldContents() throws Throwable {
        byte[] payload = concat(word(2 * MIB, DEVICE_BLOCK | ZERO_BLOCK), str8("d0"), word(0, EOS));
        loading(payload).call();
        assertThat(BlockStreams.read(d0, 2 * MIB, (int) (SIZE - 2 * MIB))).containsOnly(0);
        assertThat(BlockStreams.read(d0, 2 * MIB - 1, 1)).containsOnly(0xc3);
    }
}

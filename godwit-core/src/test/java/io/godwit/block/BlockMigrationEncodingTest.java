package io.godwit.block;

import static io.godwit.block.BlockStreams.MIB;
import static io.godwit.block.BlockStreams.chunkWith;
import static io.godwit.block.BlockStreams.disk;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.stats.Counter;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What block migration writes (migration/block.c), in the record layout that
 * {@link BlockRecordReader} documents: every data chunk whole (1 MiB), PROGRESS only when the
 * percentage changes, every section ended by EOS. Golden bytes written by hand.
 */
class BlockMigrationEncodingTest {
    static final byte[] EOS = hex("00000000 00000002");
    static final byte[] D0 = hex("02 6430"); // "d0"
    static final Capabilities BLOCK = Capabilities.of(Capability.BLOCK);
    static final Capabilities BLOCK_ZERO = Capabilities.of(Capability.BLOCK, Capability.ZERO_BLOCKS);

    @TempDir
    Path dir;
    BlockDevice d0;

    @BeforeEach
    void open() throws IOException {
        d0 = disk(dir, "d0", 2 * MIB);
        BlockStreams.fill(d0, 7, 1, 0x5a); // chunk 0 holds one byte; chunk 1 is zero
    }

    @AfterEach
    void close() throws IOException {
        d0.close();
    }

    @Test
    void setupPayloadIsEos() throws IOException {
        BlockSource src = new BlockSource(BLOCK, d0);
        assertThat(src.setup()).containsExactly(EOS);
        assertThat(src.counters.get(Counter.DISK_TOTAL)).isEqualTo(2 * MIB);
    }

    @Test
    void chunkGoesAsDeviceBlockWithNameAndOneMebibyteThenProgress() throws IOException {
        BlockSource src = new BlockSource(BLOCK, d0);
        src.setup();
        assertThat(src.iterate(1)).containsExactly(concat(
                hex("00000000 00000001"), D0, chunkWith(7, 0x5a), // DEVICE_BLOCK at offset 0
                hex("00000000 00006404"), // PROGRESS 50 (50 << 9 | 0x04)
                EOS));
        assertThat(src.counters.get(Counter.DISK_TRANSFERRED)).isEqualTo(MIB);
    }

    @Test
    void zeroChunkGoesAsZeroBlockWithoutDataWhenZeroBlocksIsOn() throws IOException {
        BlockSource src = new BlockSource(BLOCK_ZERO, d0);
        src.setup();
        src.iterate(1);
        assertThat(src.iterate(1)).containsExactly(concat(
                hex("00000000 00100009"), D0, // DEVICE_BLOCK | ZERO_BLOCK at 1 MiB, no data
                hex("00000000 0000c804"), // PROGRESS 100
                EOS));
        assertThat(src.counters.get(Counter.DISK_ZERO_BLOCKS)).isEqualTo(1);
    }

    @Test
    void zeroChunkGoesWithItsDataWhenZeroBlocksIsOff() throws IOException {
        BlockSource src = new BlockSource(BLOCK, d0);
        src.setup();
        src.iterate(1);
        assertThat(src.iterate(1)).containsExactly(concat(
                hex("00000000 00100001"), D0, new byte[MIB],
                hex("00000000 0000c804"),
                EOS));
        assertThat(src.counters.get(Counter.DISK_ZERO_BLOCKS)).isZero();
    }

    @Test
    void nonZeroChunkGoesWithDataEvenWhenZeroBlocksIsOn() throws IOException {
        BlockSource src = new BlockSource(BLOCK_ZERO, d0);
        src.setup();
        assertThat(src.iterate(1)).startsWith(concat(hex("00000000 00000001"), D0, chunkWith(7, 0x5a)));
    }

    @Test
    void progressCarriesThePercentOfTheBulkPhaseDoneRoundedDown() throws IOException {
        try (BlockDevice odd = disk(dir, "odd", 300 * 512 * 8)) { // 1.17 MiB: two chunks, 85% after the first
            BlockSource src = new BlockSource(BLOCK_ZERO, odd);
            src.setup();
            byte[] name = hex("03 6f6464");
            assertThat(src.iterate(2)).containsExactly(concat(
                    hex("00000000 00000009"), name, hex("00000000 0000aa04"), // PROGRESS 85
                    hex("00000000 00100009"), name, hex("00000000 0000c804"), // PROGRESS 100
                    EOS));
        }
    }

    @Test
    void progressIsSentOnlyWhenThePercentageChanges() throws IOException {
        try (BlockDevice big = disk(dir, "big", 200L * MIB)) { // half a percent per chunk
            BlockSource src = new BlockSource(BLOCK_ZERO, big);
            src.setup();
            byte[] name = hex("03 626967");
            assertThat(src.iterate(3)).containsExactly(concat(
                    hex("00000000 00000009"), name, hex("00000000 00000004"), // PROGRESS 0
                    hex("00000000 00100009"), name, hex("00000000 00000204"), // PROGRESS 1
                    hex("00000000 00200009"), name, // still 1%: no PROGRESS
                    EOS));
        }
    }

    @Test
    void iterationAfterTheBulkPhaseWithNothingWrittenIsEosAndDone() throws IOException {
        BlockSource src = new BlockSource(BLOCK, d0);
        src.setup();
        src.iterate(2);
        assertThat(src.iterate(Integer.MAX_VALUE)).containsExactly(EOS);
        src.budget = Integer.MAX_VALUE;
        assertThat(src.handler.saveLiveIterate(src.ctx)).isTrue();
    }

    @Test
    void iterationStoppedByTheRateLimitSaysMoreRemains() throws IOException {
        BlockSource src = new BlockSource(BLOCK, d0);
        src.setup();
        src.budget = 1;
        assertThat(src.handler.saveLiveIterate(src.ctx)).isFalse();
    }

    @Test
    void completePayloadIsProgress100ThenEos() throws IOException {
        BlockSource src = new BlockSource(BLOCK, d0);
        src.setup();
        src.iterateToEnd();
        assertThat(src.complete()).containsExactly(concat(hex("00000000 0000c804"), EOS));
        assertThat(src.counters.get(Counter.DISK_REMAINING)).isZero();
    }

    @Test
    void completeSendsWhatTheBulkPhaseHasNotReachedYet() throws IOException {
        BlockSource src = new BlockSource(BLOCK_ZERO, d0);
        src.setup();
        assertThat(src.complete()).containsExactly(concat(
                hex("00000000 00000001"), D0, chunkWith(7, 0x5a), hex("00000000 00006404"),
                hex("00000000 00100009"), D0, hex("00000000 0000c804"),
                hex("00000000 0000c804"), EOS));
    }

    @Test
    void partialLastChunkStillCarriesOneMebibyte() throws IOException {
        try (BlockDevice d = disk(dir, "d1", 5 * MIB / 2)) {
            BlockStreams.fill(d, 2 * MIB + 3, 1, 0x77);
            BlockSource src = new BlockSource(BLOCK, d);
            src.setup();
            src.iterate(2);
            assertThat(src.iterate(1)).containsExactly(concat(
                    hex("00000000 00200001 02 6431"), chunkWith(3, 0x77), // past the image reads as zero
                    hex("00000000 0000c804"), EOS));
            assertThat(src.counters.get(Counter.DISK_TRANSFERRED)).as("only the image's bytes count")
                    .isEqualTo(5 * MIB / 2);
        }
    }

    @Test
    void eachDiskIsNamedInItsRecords() throws IOException {
        try (BlockDevice d1 = disk(dir, "d1", MIB)) {
            BlockSource src = new BlockSource(BLOCK_ZERO, d0, d1);
            src.setup();
            src.iterate(2);
            assertThat(src.iterate(1)).containsExactly(concat(
                    hex("00000000 00000009 02 6431"), hex("00000000 0000c804"), EOS));
        }
    }
}

package io.godwit.block;

import static io.godwit.block.BlockStreams.DEVICE_BLOCK;
import static io.godwit.block.BlockStreams.MIB;
import static io.godwit.block.BlockStreams.ZERO_BLOCK;
import static io.godwit.block.BlockStreams.chunks;
import static io.godwit.block.BlockStreams.disk;
import static io.godwit.block.BlockStreams.fill;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.block.BlockStreams.Chunk;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Block migration from one set of images into another: what arrives, what is sent again, what is pending. */
class BlockMigrationRoundTripTest {
    static final Capabilities BLOCK = Capabilities.of(Capability.BLOCK);
    static final Capabilities BLOCK_ZERO = Capabilities.of(Capability.BLOCK, Capability.ZERO_BLOCKS);

    @TempDir
    Path src;
    @TempDir
    Path dst;

    /** Random bytes in a few places, leaving some chunks zero. */
    static void scribble(BlockDevice d, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        for (long off = 0; off < d.size(); off += 2 * MIB) {
            byte[] b = new byte[4096];
            r.nextBytes(b);
            long at = Math.min(off + r.nextLong(MIB), d.size() - b.length);
            d.write(at, ByteBuffer.wrap(b));
        }
    }

    /** Setup, iterations until done, complete: every section's payload. */
    static List<byte[]> migrate(BlockSource s) throws IOException {
        List<byte[]> sections = new ArrayList<>();
        sections.add(s.setup());
        sections.addAll(s.iterateToEnd());
        sections.add(s.complete());
        return sections;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void imagesArriveEqual(boolean zeroBlocks) throws IOException {
        try (BlockDevice a = disk(src, "a", 5 * MIB); BlockDevice b = disk(src, "b", 3 * MIB);
                BlockDevice a2 = disk(dst, "a", 5 * MIB); BlockDevice b2 = disk(dst, "b", 3 * MIB)) {
            scribble(a, 1);
            scribble(b, 2);
            fill(a2, 0, 3 * MIB, 0xee); // the destination's old contents, zero chunks included, are replaced
            fill(b2, 0, 3 * MIB, 0xee);
            BlockSource s = new BlockSource(zeroBlocks ? BLOCK_ZERO : BLOCK, a, b);

            BlockStreams.load(List.of(a2, b2), migrate(s));

            assertThat(a2.digest()).isEqualTo(a.digest());
            assertThat(b2.digest()).isEqualTo(b.digest());
        }
    }

    @Test
    void partialLastChunkWritesOnlyTheImagesPart() throws IOException {
        long size = 5 * MIB / 2;
        try (BlockDevice a = disk(src, "a", size); BlockDevice a2 = disk(dst, "a", size)) {
            fill(a, size - 4096, 4096, 0x3c);
            BlockSource s = new BlockSource(BLOCK, a);

            BlockStreams.load(List.of(a2), migrate(s));

            assertThat(a2.digest()).isEqualTo(a.digest());
            assertThat(Files.size(a2.path())).as("nothing written past the image").isEqualTo(size);
        }
    }

    @Test
    void arrivesEqualWhenReadInTinyBuffers() throws IOException {
        try (BlockDevice a = disk(src, "a", 2 * MIB); BlockDevice a2 = disk(dst, "a", 2 * MIB)) {
            scribble(a, 3);
            List<byte[]> sections = migrate(new BlockSource(BLOCK_ZERO, a));
            BlockMigration dest = new BlockMigration(() -> List.of(a2));
            dest.loadSetup(null);
            for (byte[] p : sections) {
                dest.loadState(new io.godwit.savevm.LoadContext(io.godwit.stream.Bytes.chopped(p, 5),
                        Capabilities.defaults(), () -> {}), BlockMigration.VERSION);
            }
            assertThat(a2.digest()).isEqualTo(a.digest());
        }
    }

    @Test
    void chunkWrittenAfterTheBulkPhasePassedItIsSentAgainWithItsNewData() throws IOException {
        try (BlockDevice a = disk(src, "a", 3 * MIB); BlockDevice a2 = disk(dst, "a", 3 * MIB)) {
            fill(a, 100, 10, 0x11);
            BlockSource s = new BlockSource(BLOCK, a);
            List<byte[]> sections = new ArrayList<>();
            sections.add(s.setup());
            sections.add(s.iterate(1)); // chunk 0
            fill(a, 200, 10, 0x22); // behind the cursor

            sections.addAll(s.iterateToEnd());
            sections.add(s.complete());

            assertThat(chunks(sections)).extracting(Chunk::offset).containsExactly(0L, MIB * 1L, 2L * MIB, 0L);
            BlockStreams.load(List.of(a2), sections);
            assertThat(BlockStreams.read(a2, 200, 10)).containsOnly(0x22);
            assertThat(a2.digest()).isEqualTo(a.digest());
        }
    }

    @Test
    void chunkWrittenAheadOfTheBulkCursorIsSentOnce() throws IOException {
        try (BlockDevice a = disk(src, "a", 3 * MIB); BlockDevice b = disk(src, "b", 2 * MIB);
                BlockDevice a2 = disk(dst, "a", 3 * MIB); BlockDevice b2 = disk(dst, "b", 2 * MIB)) {
            BlockSource s = new BlockSource(BLOCK, a, b);
            List<byte[]> sections = new ArrayList<>();
            sections.add(s.setup());
            sections.add(s.iterate(1));
            fill(a, 2 * MIB + 5, 10, 0x33); // ahead, on the disk being read
            fill(b, MIB + 5, 10, 0x44); // ahead, on a disk not reached yet
            s.pending(0); // a look at what is pending takes the marks too
            fill(a, 2 * MIB + 50, 10, 0x55);

            sections.addAll(s.iterateToEnd());
            sections.add(s.complete());

            assertThat(chunks(sections)).containsExactly(
                    new Chunk(0, DEVICE_BLOCK, "a"), new Chunk(MIB, DEVICE_BLOCK, "a"),
                    new Chunk(2 * MIB, DEVICE_BLOCK, "a"), new Chunk(0, DEVICE_BLOCK, "b"),
                    new Chunk(MIB, DEVICE_BLOCK, "b"));
            BlockStreams.load(List.of(a2, b2), sections);
            assertThat(a2.digest()).isEqualTo(a.digest());
            assertThat(b2.digest()).isEqualTo(b.digest());
        }
    }

    @Test
    void chunkWrittenAfterTheBulkPhaseEndedIsSentInTheNextIterationAndAtComplete() throws IOException {
        try (BlockDevice a = disk(src, "a", 2 * MIB)) {
            BlockSource s = new BlockSource(BLOCK_ZERO, a);
            s.setup();
            s.iterateToEnd();
            fill(a, MIB + 1, 1, 0x66);
            assertThat(chunks(List.of(s.iterate(Integer.MAX_VALUE))))
                    .containsExactly(new Chunk(MIB, DEVICE_BLOCK, "a"));
            fill(a, 1, 1, 0x67);
            assertThat(chunks(List.of(s.complete()))).containsExactly(new Chunk(0, DEVICE_BLOCK, "a"));
        }
    }

    @Test
    void zeroChunkWrittenBackToZeroGoesAsZeroBlock() throws IOException {
        try (BlockDevice a = disk(src, "a", 2 * MIB)) {
            BlockSource s = new BlockSource(BLOCK_ZERO, a);
            s.setup();
            s.iterateToEnd();
            fill(a, MIB + 1, 1, 0);
            assertThat(chunks(List.of(s.complete()))).containsExactly(new Chunk(MIB, DEVICE_BLOCK | ZERO_BLOCK, "a"));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, MIB, 2 * MIB, 3 * MIB, 100 * MIB})
    void pendingDuringTheBulkPhaseIsAtLeastThresholdPlusOneChunk(long threshold) throws IOException {
        try (BlockDevice a = disk(src, "a", 4 * MIB)) {
            BlockSource s = new BlockSource(BLOCK, a);
            s.setup();
            assertThat(s.pending(threshold)).isGreaterThanOrEqualTo(threshold + MIB).isGreaterThanOrEqualTo(4 * MIB);
            s.iterate(3);
            assertThat(s.pending(threshold)).as("one chunk left in the bulk phase")
                    .isGreaterThanOrEqualTo(threshold + MIB);
        }
    }

    @Test
    void pendingDuringTheBulkPhaseIsWhatIsLeftWhenThatExceedsTheThreshold() throws IOException {
        try (BlockDevice a = disk(src, "a", 4 * MIB)) {
            BlockSource s = new BlockSource(BLOCK, a);
            s.setup();
            s.iterate(1);
            fill(a, 0, 1, 1); // behind the cursor: pending again
            assertThat(s.pending(0)).isEqualTo(4 * MIB);
        }
    }

    @Test
    void pendingCountsAChunkWrittenAheadOfTheBulkCursorOnce() throws IOException {
        try (BlockDevice a = disk(src, "a", 4 * MIB); BlockDevice b = disk(src, "b", 2 * MIB)) {
            BlockSource s = new BlockSource(BLOCK, a, b);
            s.setup();
            s.iterate(1);
            fill(a, 2 * MIB, 1, 1); // ahead on the disk being read
            fill(b, 0, 1, 1); // on a disk not reached yet
            assertThat(s.pending(0)).as("what the bulk phase has left").isEqualTo(5 * MIB);
            s.iterate(1); // reads chunk 1 of a and takes the marks of a
            assertThat(s.pending(0)).isEqualTo(4 * MIB);
        }
    }

    @Test
    void pendingAfterTheBulkPhaseIsTheChunksWritten() throws IOException {
        try (BlockDevice a = disk(src, "a", 4 * MIB)) {
            BlockSource s = new BlockSource(BLOCK, a);
            s.setup();
            s.iterateToEnd();
            assertThat(s.pending(100 * MIB)).isZero();
            fill(a, MIB - 1, 2, 1); // straddles chunks 0 and 1
            assertThat(s.pending(100 * MIB)).isEqualTo(2 * MIB);
        }
    }

    @Test
    void inactiveWithoutTheBlockCapability() throws IOException {
        try (BlockDevice a = disk(src, "a", MIB)) {
            assertThat(new BlockSource(Capabilities.defaults(), a).handler.isActive()).isFalse();
            assertThat(new BlockSource(Capabilities.of(Capability.ZERO_BLOCKS), a).handler.isActive()).isFalse();
            assertThat(new BlockSource(BLOCK, a).handler.isActive()).isTrue();
            assertThat(new BlockSource(BLOCK).handler.isActive()).as("no disks").isFalse();
        }
    }

    @Test
    void diskSizesAreSentOnlyWithTheBlockCapability() throws IOException {
        try (BlockDevice a = disk(src, "a", MIB)) {
            DiskSizes sizes = new DiskSizes(() -> List.of(a));
            sizes.savePrepare(new BlockSource(Capabilities.defaults(), a).ctx);
            assertThat(sizes.isActive()).isFalse();
            sizes.savePrepare(new BlockSource(BLOCK, a).ctx);
            assertThat(sizes.isActive()).isTrue();
            assertThat(sizes.isActiveIterate()).isFalse();
        }
    }
}

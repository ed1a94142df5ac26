package io.godwit.block;

import static io.godwit.block.BlockStreams.MIB;
import static io.godwit.block.BlockStreams.chunks;
import static io.godwit.block.BlockStreams.disk;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.block.BlockStreams.Chunk;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random 4 KiB writes between one-chunk iterations, checked against a model of what must go
 * again: a chunk is sent again only if it was written after it was last sent, and pending is
 * exactly the chunks so written plus what the bulk phase has left. So a disk sends at most its
 * size plus one chunk per chunk-dirtying write; when random writes keep every chunk dirty, the
 * cost is the 1 MiB unit, not resending.
 */
class BlockResendModelTest {
    static final Capabilities BLOCK = Capabilities.of(Capability.BLOCK);
    static final int CHUNKS = 8;

    @TempDir
    Path src;
    @TempDir
    Path dst;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void sendsAgainOnlyChunksWrittenSinceTheyWereSentAndPendingCountsThem(long seed) throws IOException {
        try (BlockDevice a = disk(src, "a", CHUNKS * MIB); BlockDevice a2 = disk(dst, "a", CHUNKS * MIB)) {
            SplittableRandom r = new SplittableRandom(seed);
            BlockSource s = new BlockSource(BLOCK, a);
            List<byte[]> sections = new ArrayList<>();
            sections.add(s.setup());
            TreeSet<Long> written = new TreeSet<>(); // chunks written since they were last sent
            long cursor = 0; // the bulk phase's next chunk
            long sent = 0;
            for (int step = 0; step < 60; step++) {
                for (int w = r.nextInt(3); w > 0; w--) {
                    long chunk = write(a, r);
                    if (chunk < cursor) { // ahead of the cursor, the bulk phase reads it anyway
                        written.add(chunk);
                    }
                }
                if (r.nextBoolean()) { // a look at pending takes the marks; without one, the iteration does
                    assertThat(s.pending(0)).as("step %d", step).isEqualTo((written.size() + CHUNKS - cursor) * MIB);
                }
                byte[] part = s.iterate(1);
                sections.add(part);
                for (Chunk c : chunks(List.of(part))) {
                    long chunk = c.offset() / MIB;
                    sent++;
                    if (cursor < CHUNKS) {
                        assertThat(chunk).as("bulk phase, step %d", step).isEqualTo(cursor++);
                    } else {
                        assertThat(written.remove(chunk)).as("chunk %d sent again unwritten, step %d", chunk, step)
                                .isTrue();
                    }
                }
            }
            byte[] fin = s.complete();
            sections.add(fin);
            assertThat(chunks(List.of(fin))).extracting(c -> c.offset() / MIB).containsExactlyElementsOf(written);
            assertThat(sent).as("chunks sent in pre-copy").isGreaterThan(CHUNKS);
            BlockStreams.load(List.of(a2), sections);
            assertThat(a2.digest()).isEqualTo(a.digest());
        }
    }

    /** One 4 KiB write of random bytes at a random 4 KiB slot; returns its chunk. */
    private static long write(BlockDevice d, SplittableRandom r) throws IOException {
        byte[] b = new byte[4096];
        r.nextBytes(b);
        long slot = r.nextLong(d.size() / b.length);
        d.write(slot * b.length, ByteBuffer.wrap(b));
        return slot * b.length / MIB;
    }
}

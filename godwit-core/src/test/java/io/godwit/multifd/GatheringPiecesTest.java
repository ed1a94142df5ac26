package io.godwit.multifd;

import static io.godwit.multifd.MultifdWire.PAGE_SIZE;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.ram.RamBlock;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** How a channel cuts a packet's pages into pieces for its gathering write. */
class GatheringPiecesTest {
    @Test
    void pagesAdjacentInRamGoAsOnePieceAndEveryByteIsInOrder() {
        try (RamBlock block = new RamBlock("pc.ram", 16 * PAGE_SIZE, false)) {
            for (int p = 0; p < 16; p++) {
                block.segment().asSlice((long) p * PAGE_SIZE, PAGE_SIZE).fill((byte) p);
            }
            Batch b = new Batch();
            b.block = block;
            long[] pages = {2, 3, 4, 7, 8, 5, 6, 11};
            for (long p : pages) {
                // page 8 goes from a copy (as for a tracker that must see the bytes sent): never merged
                b.add(p * PAGE_SIZE, block.segment().asSlice(p * PAGE_SIZE, PAGE_SIZE), p == 8);
            }
            ByteBuffer[] iov = new ByteBuffer[pages.length + 1];
            int n = SendChannel.pieces(b, iov, 1);

            assertThat(n).isEqualTo(5); // 2-4, 7, 8 (copied), 5-6, 11
            assertThat(iov[1].remaining()).isEqualTo(3 * PAGE_SIZE);
            assertThat(iov[2].remaining()).isEqualTo(PAGE_SIZE);
            assertThat(iov[4].remaining()).isEqualTo(2 * PAGE_SIZE);
            int at = 0;
            for (int i = 1; i <= n; i++) {
                while (iov[i].hasRemaining()) {
                    assertThat(iov[i].get()).isEqualTo((byte) pages[at++ / PAGE_SIZE]);
                }
            }
            assertThat(at).isEqualTo(pages.length * PAGE_SIZE);
        }
    }
}

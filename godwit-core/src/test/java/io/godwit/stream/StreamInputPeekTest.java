package io.godwit.stream;

import static io.godwit.stream.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Looking ahead (for sections that can only be split that way) consumes nothing, across buffers. */
class StreamInputPeekTest {
    static final byte[] DATA = hex("7e 00000003 04 00000004 05 74696d6572 00000000 00000002 | 0102030405060708");

    @Test
    void peekAcrossBuffersThenReadsTheSameBytes() throws IOException {
        for (long seed = 0; seed < 50; seed++) {
            StreamInput in = Bytes.chopped(DATA, seed);
            in.get8();
            byte[] ahead = in.peek(12);
            assertThat(ahead).isEqualTo(Arrays.copyOfRange(DATA, 1, 13));
            assertThat(in.position()).as("seed %d", seed).isEqualTo(1);
            assertThat(in.peek(4)).as("a shorter peek of the same bytes").isEqualTo(Arrays.copyOfRange(DATA, 1, 5));
            assertThat(in.getBe32()).isEqualTo(3);
            assertThat(in.get8()).isEqualTo(4);
            assertThat(in.peek(20)).as("a longer peek after reading part of the first")
                    .isEqualTo(Arrays.copyOfRange(DATA, 6, 26));
            assertThat(in.getBe32()).isEqualTo(4);
            assertThat(in.getString8()).isEqualTo("timer");
            assertThat(in.position()).isEqualTo(16);
            in.skip(8);
            assertThat(in.getBe64()).isEqualTo(0x0102030405060708L);
            assertThat(in.hasMore()).isFalse();
            assertThat(in.position()).isEqualTo(DATA.length);
        }
    }

    @Test
    void peekNearTheEndReturnsWhatIsLeft() throws IOException {
        StreamInput in = Bytes.chopped(DATA, 7);
        in.skip(DATA.length - 3);
        assertThat(in.peek(10)).isEqualTo(hex("060708"));
        assertThat(in.position()).isEqualTo(DATA.length - 3);
        assertThat(in.get8()).isEqualTo(6);
        assertThat(in.peek(10)).isEqualTo(hex("0708"));
        in.skip(2);
        assertThat(in.peek(10)).isEmpty();
        assertThat(in.peek8()).isEqualTo(-1);
    }

    @Test
    void bulkCopiesAfterAPeekSeeTheStreamInOrder() throws IOException {
        byte[] data = new byte[10_000];
        new Random(3).nextBytes(data);
        StreamInput in = new StreamInput(Bytes.source(data, sizes()));
        in.skip(100);
        assertThat(in.peek(300)).isEqualTo(Arrays.copyOfRange(data, 100, 400));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(9_900);
            in.copyTo(dst, 0, 9_900);
            assertThat(dst.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(Arrays.copyOfRange(data, 100, 10_000));
        }
        assertThat(in.position()).isEqualTo(10_000);
    }

    @Test
    void peekBufferedNeverWaitsForTheNextBuffer() throws IOException {
        StreamInput in = new StreamInput(Bytes.source(DATA, () -> 4));
        in.get8();
        assertThat(in.peekBuffered(10)).as("only the rest of the first 4-byte buffer").isEqualTo(hex("000000"));
        assertThat(in.position()).isEqualTo(1);
    }

    private static java.util.function.IntSupplier sizes() {
        Random r = new Random(11);
        return () -> 1 + r.nextInt(700);
    }
}

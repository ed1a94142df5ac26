package io.godwit.stream;

import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Refusal.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StreamInputTest {
    static final byte[] VALUES = hex("7f | beef | 01020304 | 1122334455667788 | 03 616263 | fe");

    private static void readValues(StreamInput in) throws IOException {
        assertThat(in.get8()).isEqualTo(0x7f);
        assertThat(in.position()).isEqualTo(1);
        assertThat(in.getBe16()).isEqualTo(0xbeef);
        assertThat(in.position()).isEqualTo(3);
        assertThat(in.getBe32()).isEqualTo(0x01020304);
        assertThat(in.position()).isEqualTo(7);
        assertThat(in.getBe64()).isEqualTo(0x1122334455667788L);
        assertThat(in.position()).isEqualTo(15);
        assertThat(in.getString8()).isEqualTo("abc");
        assertThat(in.position()).isEqualTo(19);
        assertThat(in.peek8()).isEqualTo(0xfe);
        assertThat(in.position()).as("peek consumes nothing").isEqualTo(19);
        assertThat(in.get8()).isEqualTo(0xfe);
        assertThat(in.position()).isEqualTo(20);
        assertThat(in.hasMore()).isFalse();
        assertThat(in.peek8()).isEqualTo(-1);
        assertThat(in.position()).isEqualTo(20);
    }

    @Test
    void readsBigEndianValuesFromOneBuffer() throws IOException {
        readValues(Bytes.input(VALUES));
    }

    @Test
    void readsValuesSplitOneBytePerBuffer() throws IOException {
        Bytes.ArraySource src = Bytes.source(VALUES, () -> 1);
        readValues(new StreamInput(src));
        assertThat(src.buffersGiven()).isEqualTo(VALUES.length);
    }

    @Test
    void readsValuesSplitAcrossBuffersOfEverySmallSize() throws IOException {
        for (int size = 2; size <= 9; size++) {
            int s = size;
            readValues(new StreamInput(Bytes.source(VALUES, () -> s)));
        }
        for (long seed = 0; seed < 20; seed++) {
            readValues(Bytes.chopped(VALUES, seed));
        }
    }

    @Test
    void countsBytesBeforeAStartPositionOfAHandedBuffer() throws IOException {
        // the second buffer starts at position 5 of its array: offsets must still count from 0
        byte[] array = hex("0000000000 aabbccdd");
        StreamInput in = new StreamInput(Bytes.buffers(ByteBuffer.wrap(hex("0102")), ByteBuffer.wrap(array, 5, 4)));
        assertThat(in.getBe16()).isEqualTo(0x0102);
        assertThat(in.position()).isEqualTo(2);
        assertThat(in.get8()).isEqualTo(0xaa);
        assertThat(in.position()).isEqualTo(3);
        assertThat(in.getBe16()).isEqualTo(0xbbcc);
        assertThat(in.position()).isEqualTo(5);
        assertRefused(in::getBe16, TruncatedStreamException.class, 5, "expected 2 bytes");
    }

    @Test
    void readsDirectBuffers() throws IOException {
        ByteBuffer direct = ByteBuffer.allocateDirect(16).put(hex("cafebabe 0102")).flip();
        StreamInput in = new StreamInput(Bytes.buffers(direct));
        assertThat(in.getBe32()).isEqualTo(0xcafebabe);
        MemorySegment dst = MemorySegment.ofArray(new byte[2]);
        in.copyTo(dst, 0, 2);
        assertThat(dst.toArray(ValueLayout.JAVA_BYTE)).containsExactly(1, 2);
        assertThat(in.hasMore()).isFalse();
    }

    @Test
    void copiesAcrossBufferBoundariesIntoASegment() throws IOException {
        byte[] data = new byte[5000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(6000);
            StreamInput in = Bytes.chopped(data, 3);
            in.skip(1);
            in.copyTo(dst, 100, 4999);
            assertThat(in.position()).isEqualTo(5000);
            assertThat(dst.asSlice(100, 4999).toArray(ValueLayout.JAVA_BYTE))
                    .containsExactly(Arrays.copyOfRange(data, 1, 5000));
            assertThat(dst.get(ValueLayout.JAVA_BYTE, 99)).isZero();
        }
    }

    @Test
    void skipsAcrossBufferBoundaries() throws IOException {
        StreamInput in = new StreamInput(Bytes.source(hex("00 01 02 03 04 05 06 07 08 09"), () -> 3));
        in.skip(7);
        assertThat(in.position()).isEqualTo(7);
        assertThat(in.get8()).isEqualTo(7);
    }

    @Test
    void refusesValueCutByTheEndAtTheValuesOffset() {
        StreamInput in = Bytes.chopped(hex("00 01 02 03 04 05"), 1);
        assertRefused(() -> {
            in.getBe32();
            in.getBe32();
        }, TruncatedStreamException.class, 4, "expected 4 bytes");
        StreamInput in64 = Bytes.chopped(hex("00 01 02 03 04 05 06"), 1);
        assertRefused(in64::getBe64, TruncatedStreamException.class, 0, "expected 8 bytes");
        StreamInput in8 = Bytes.input(new byte[0]);
        assertRefused(in8::get8, TruncatedStreamException.class, 0, "expected 1 byte");
    }

    @Test
    void refusesCopyCutByTheEndWhereTheStreamEnded() {
        StreamInput in = Bytes.chopped(new byte[10], 2);
        MemorySegment dst = MemorySegment.ofArray(new byte[16]);
        assertRefused(() -> in.copyTo(dst, 0, 16), TruncatedStreamException.class, 10,
                "expected 6 more bytes of data");
    }

    @Test
    void refusesSkipCutByTheEnd() {
        StreamInput in = Bytes.chopped(new byte[10], 2);
        assertRefused(() -> in.skip(11), TruncatedStreamException.class, 10, "expected 1 more bytes to skip");
    }

    @Test
    void refusesStringCutByTheEnd() {
        StreamInput in = Bytes.input(hex("05 6162"));
        assertRefused(in::getString8, TruncatedStreamException.class, 3, "expected 3 more bytes of a 5-byte field");
    }

    @Test
    void staysAtTheEndOnceReached() throws IOException {
        Bytes.ArraySource src = Bytes.source(hex("01"), () -> 1);
        StreamInput in = new StreamInput(src);
        in.get8();
        assertThat(in.hasMore()).isFalse();
        assertThat(in.hasMore()).isFalse();
        assertThat(in.peek8()).isEqualTo(-1);
        assertThat(in.position()).isEqualTo(1);
    }

    @Test
    void closeClosesTheSource() throws IOException {
        Bytes.ArraySource src = Bytes.source(hex("01"), () -> 1);
        new StreamInput(src).close();
        assertThat(src.closed()).isTrue();
    }
}

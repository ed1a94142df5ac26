package io.godwit.stream;

import static io.godwit.stream.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StreamOutputTest {

    @Test
    void writesBigEndianValues() throws IOException {
        byte[] bytes = Bytes.written(out -> {
            out.put8(0x17f); // only the low byte
            out.putBe16(0x1beef);
            out.putBe32(0x01020304);
            out.putBe64(0x1122334455667788L);
            out.putString8("abc");
            out.putBytes(hex("aabbcc"), 1, 2);
        });
        assertThat(bytes).containsExactly(hex("7f beef 01020304 1122334455667788 03616263 bbcc"));
    }

    @Test
    void splitsValuesAcrossSmallBuffersWithoutLosingBytes() throws IOException {
        Bytes.Sink sink = Bytes.sink(16);
        StreamOutput out = new StreamOutput(sink);
        for (int i = 0; i < 10; i++) {
            out.put8(i);
            out.putBe64(0x0101010101010101L * i);
            out.putBe16(i);
            out.putBe32(-i);
        }
        out.flush();
        ByteBuffer expected = ByteBuffer.allocate(150);
        for (int i = 0; i < 10; i++) {
            expected.put((byte) i).putLong(0x0101010101010101L * i).putShort((short) i).putInt(-i);
        }
        assertThat(sink.toByteArray()).containsExactly(expected.array());
        assertThat(sink.swaps()).isGreaterThan(9);
    }

    @Test
    void countsBufferedAndHandedOffBytes() throws IOException {
        Bytes.Sink sink = Bytes.sink(16);
        StreamOutput out = new StreamOutput(sink);
        assertThat(out.bytesWritten()).isZero();
        out.putBe64(1);
        out.putBe32(2);
        assertThat(out.bytesWritten()).isEqualTo(12);
        assertThat(sink.toByteArray()).as("still buffered").isEmpty();
        out.putBe64(3); // does not fit: the first 12 bytes go to the sink
        assertThat(out.bytesWritten()).isEqualTo(20);
        assertThat(sink.toByteArray()).hasSize(12);
        out.putBytes(new byte[100]);
        out.putSegment(MemorySegment.ofArray(new byte[50]), 0, 50);
        out.putString8("xyz");
        assertThat(out.bytesWritten()).isEqualTo(174);
        out.flush();
        assertThat(out.bytesWritten()).isEqualTo(174);
        assertThat(sink.toByteArray()).hasSize(174);
    }

    @Test
    void copiesSegmentsAcrossBufferBoundaries() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(10_000);
            for (int i = 0; i < 10_000; i++) {
                src.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 13 + 1));
            }
            Bytes.Sink sink = Bytes.sink(64);
            StreamOutput out = new StreamOutput(sink);
            out.put8(0xee); // misalign the copy against the buffers
            out.putSegment(src, 3, 9_000);
            out.flush();
            byte[] bytes = sink.toByteArray();
            assertThat(bytes).hasSize(9_001);
            assertThat(bytes[0]).isEqualTo((byte) 0xee);
            assertThat(Arrays.copyOfRange(bytes, 1, 9_001))
                    .containsExactly(src.asSlice(3, 9_000).toArray(ValueLayout.JAVA_BYTE));
            assertThat(out.bytesWritten()).isEqualTo(9_001);
        }
    }

    @Test
    void putsByteArraysLargerThanABuffer() throws IOException {
        byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        Bytes.Sink sink = Bytes.sink(16);
        StreamOutput out = new StreamOutput(sink);
        out.putBytes(data);
        out.flush();
        assertThat(sink.toByteArray()).containsExactly(data);
    }

    @Test
    void acceptsNamesOf255BytesAndRefusesLongerOnes() throws IOException {
        byte[] bytes = Bytes.written(out -> out.putString8("n".repeat(255)));
        assertThat(bytes).hasSize(256);
        assertThat(bytes[0]).isEqualTo((byte) 0xff);
        StreamOutput out = new StreamOutput(Bytes.sink());
        assertThatThrownBy(() -> out.putString8("n".repeat(256)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longer than 255 bytes");
        assertThatThrownBy(() -> out.putString8("\u00e9".repeat(128)))
                .as("UTF-8 bytes count, not chars").isInstanceOf(IllegalArgumentException.class);
        assertThat(out.bytesWritten()).isZero();
    }

    @Test
    void flushHandsBufferedBytesToTheSinkOnlyWhenThereAreAny() throws IOException {
        Bytes.Sink sink = Bytes.sink();
        StreamOutput out = new StreamOutput(sink);
        out.flush();
        assertThat(sink.swaps()).isZero();
        out.put8(1);
        out.flush();
        assertThat(sink.swaps()).isEqualTo(1);
        assertThat(sink.toByteArray()).containsExactly(1);
    }

    @Test
    void closeFlushesThenClosesTheSinkOnce() throws IOException {
        Bytes.Sink sink = Bytes.sink();
        StreamOutput out = new StreamOutput(sink);
        out.putBe32(0x01020304);
        out.close();
        assertThat(sink.toByteArray()).containsExactly(1, 2, 3, 4);
        assertThat(sink.closed()).isTrue();
        out.close();
        assertThat(sink.swaps()).isEqualTo(1);
    }

    @Test
    void refusesWritesAfterClose() throws IOException {
        StreamOutput out = new StreamOutput(Bytes.sink());
        out.put8(1);
        out.close();
        assertThatThrownBy(() -> out.put8(2)).isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThat(out.bytesWritten()).isEqualTo(1);
    }

    @Test
    void refusesSinkThatHandsBackAHeapBuffer() {
        ByteSink heap = new ByteSink() {
            @Override
            public ByteBuffer swap(ByteBuffer filled) {
                return ByteBuffer.allocate(64);
            }

            @Override
            public void close() {}
        };
        assertThatThrownBy(() -> new StreamOutput(heap)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unusable buffer");
    }
}

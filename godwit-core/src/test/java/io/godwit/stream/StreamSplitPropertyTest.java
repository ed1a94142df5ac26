package io.godwit.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Whatever the buffer sizes on either side, values written by StreamOutput read back equal from
 * StreamInput, every offset is the true offset, and the bytes are the big-endian encoding.
 */
class StreamSplitPropertyTest {

    sealed interface Op permits U8, Be16, Be32, Be64, Run {}

    record U8(int v) implements Op {}

    record Be16(int v) implements Op {}

    record Be32(int v) implements Op {}

    record Be64(long v) implements Op {}

    record Run(byte[] v) implements Op {}

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> u8 = Arbitraries.integers().between(0, 0xff).map(U8::new);
        Arbitrary<Op> be16 = Arbitraries.integers().between(0, 0xffff).map(Be16::new);
        Arbitrary<Op> be32 = Arbitraries.integers().map(Be32::new);
        Arbitrary<Op> be64 = Arbitraries.longs().map(Be64::new);
        Arbitrary<Op> run = Arbitraries.bytes().array(byte[].class).ofMaxSize(70).map(Run::new);
        return Arbitraries.oneOf(u8, be16, be32, be64, run).list().ofMaxSize(80);
    }

    @Property(tries = 400)
    void valuesReadBackEqualWhateverTheBufferSizes(@ForAll("ops") List<Op> ops,
            @ForAll @IntRange(min = 16, max = 48) int outBufferSize,
            @ForAll @IntRange(min = 1, max = 12) int maxInBufferSize, @ForAll long seed) throws IOException {
        Bytes.Sink sink = Bytes.sink(outBufferSize);
        StreamOutput out = new StreamOutput(sink);
        ByteBuffer expected = ByteBuffer.allocate(80 * 70 + 8);
        for (Op op : ops) {
            switch (op) {
                case U8 u -> {
                    out.put8(u.v());
                    expected.put((byte) u.v());
                }
                case Be16 u -> {
                    out.putBe16(u.v());
                    expected.putShort((short) u.v());
                }
                case Be32 u -> {
                    out.putBe32(u.v());
                    expected.putInt(u.v());
                }
                case Be64 u -> {
                    out.putBe64(u.v());
                    expected.putLong(u.v());
                }
                case Run u -> {
                    out.putBytes(u.v());
                    expected.put(u.v());
                }
            }
            assertThat(out.bytesWritten()).isEqualTo(expected.position());
        }
        out.flush();
        byte[] bytes = sink.toByteArray();
        assertThat(bytes).containsExactly(java.util.Arrays.copyOf(expected.array(), expected.position()));

        Random r = new Random(seed);
        StreamInput in = new StreamInput(Bytes.source(bytes, () -> 1 + r.nextInt(maxInBufferSize)));
        long offset = 0;
        for (Op op : ops) {
            switch (op) {
                case U8 u -> {
                    assertThat(in.get8()).isEqualTo(u.v());
                    offset += 1;
                }
                case Be16 u -> {
                    assertThat(in.getBe16()).isEqualTo(u.v());
                    offset += 2;
                }
                case Be32 u -> {
                    assertThat(in.getBe32()).isEqualTo(u.v());
                    offset += 4;
                }
                case Be64 u -> {
                    assertThat(in.getBe64()).isEqualTo(u.v());
                    offset += 8;
                }
                case Run u -> {
                    assertThat(in.getBytes(u.v().length)).containsExactly(u.v());
                    offset += u.v().length;
                }
            }
            assertThat(in.position()).isEqualTo(offset);
        }
        assertThat(in.hasMore()).isFalse();
        assertThat(in.position()).isEqualTo(bytes.length);
    }

    @Property(tries = 200)
    void truncationNamesTheOffsetOfTheCutValue(@ForAll("ops") List<Op> ops, @ForAll long seed) throws IOException {
        byte[] bytes = Bytes.written(out -> {
            for (Op op : ops) {
                switch (op) {
                    case U8 u -> out.put8(u.v());
                    case Be16 u -> out.putBe16(u.v());
                    case Be32 u -> out.putBe32(u.v());
                    case Be64 u -> out.putBe64(u.v());
                    case Run u -> out.putBytes(u.v());
                }
            }
        });
        Random r = new Random(seed);
        StreamInput in = new StreamInput(Bytes.source(bytes, () -> 1 + r.nextInt(5)));
        in.skip(bytes.length);
        assertThat(in.position()).isEqualTo(bytes.length);
        // a be64 where only the end of the stream is left
        Refusal.assertRefused(in::getBe64, TruncatedStreamException.class, bytes.length, "expected 8 bytes");
    }
}

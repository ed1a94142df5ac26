package io.godwit.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A block dirty bitmap: granularity, recording, bits, and QEMU's little-endian word serialisation. */
class BlockDirtyBitmapTest {
    static final long MIB = 1 << 20;

    static BlockDirtyBitmap bitmap(int granularity, long size) {
        return new BlockDirtyBitmap("b", granularity, size, true, false);
    }

    static long[] setBits(BlockDirtyBitmap b) {
        return LongStream.range(0, b.bits()).filter(b::get).toArray();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 256, 511, 513, 1000, 3 * 512, -512, Integer.MIN_VALUE})
    void refusesGranularityThatIsNotAPowerOfTwoOfAtLeast512(int granularity) {
        assertThatThrownBy(() -> bitmap(granularity, MIB)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Granularity must be power of 2").hasMessageContaining(String.valueOf(granularity));
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 1024, 4096, 65536, 1 << 30})
    void acceptsPowerOfTwoGranularityFrom512(int granularity) {
        assertThat(bitmap(granularity, MIB).granularity()).isEqualTo(granularity);
    }

    @Test
    void refusesEmptyName() {
        assertThatThrownBy(() -> new BlockDirtyBitmap("", 512, MIB, true, false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hasOneBitPerGranuleRoundedUp() {
        assertThat(bitmap(512, MIB).bits()).isEqualTo(2048);
        assertThat(bitmap(65536, MIB + 512).bits()).isEqualTo(17);
        assertThat(bitmap(1 << 30, MIB).bits()).isEqualTo(1);
    }

    @Test
    void keepsItsFlags() {
        BlockDirtyBitmap b = new BlockDirtyBitmap("x", 512, MIB, false, true);
        assertThat(b.name()).isEqualTo("x");
        assertThat(b.enabled()).isFalse();
        assertThat(b.persistent()).isTrue();
        b.setEnabled(true);
        b.setPersistent(false);
        assertThat(b.enabled()).isTrue();
        assertThat(b.persistent()).isFalse();
    }

    @Test
    void recordsWritesOnlyWhileEnabled() {
        BlockDirtyBitmap b = new BlockDirtyBitmap("b", 4096, MIB, false, false);
        b.recordWrite(0, 100);
        assertThat(b.count()).isZero();
        b.setEnabled(true);
        b.recordWrite(8192, 100);
        assertThat(setBits(b)).containsExactly(2);
        b.setEnabled(false);
        b.recordWrite(4096, 1);
        assertThat(setBits(b)).containsExactly(2);
    }

    @Test
    void emptyWriteRecordsNothing() {
        BlockDirtyBitmap b = bitmap(512, MIB);
        b.recordWrite(0, 0);
        b.recordWrite(4096, 0);
        assertThat(b.count()).isZero();
    }

    @Test
    void emptySetMarksNothingAndANegativeRangeIsRefused() {
        BlockDirtyBitmap b = bitmap(512, MIB);
        b.set(0, 0);
        b.set(4096, 0);
        assertThat(b.count()).isZero();
        assertThatThrownBy(() -> b.set(-1, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("negative range: offset -1, length 10");
        assertThatThrownBy(() -> b.set(0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void setMarksEveryGranuleTheRangeTouches() {
        BlockDirtyBitmap b = bitmap(512, MIB);
        b.set(1000, 100); // bytes 1000..1099: granules 1 and 2
        b.set(4096, 512); // exactly granule 8
        b.set(8191, 2); // granules 15 and 16
        assertThat(setBits(b)).containsExactly(1, 2, 8, 15, 16);
        assertThat(b.count()).isEqualTo(5);
    }

    @Test
    void setDoesNotReachPastTheDevice() {
        BlockDirtyBitmap b = bitmap(65536, MIB + 512);
        b.set(MIB, 4 * MIB);
        assertThat(setBits(b)).containsExactly(16);
    }

    @Test
    void setsBitsAcrossWordBoundaries() {
        BlockDirtyBitmap b = bitmap(512, MIB);
        b.set(63 * 512, 3 * 512); // bits 63, 64, 65
        assertThat(setBits(b)).containsExactly(63, 64, 65);
    }

    @Test
    void clearEmptiesTheBitmap() {
        BlockDirtyBitmap b = bitmap(512, MIB);
        b.set(0, MIB);
        assertThat(b.count()).isEqualTo(2048);
        b.clear();
        assertThat(b.count()).isZero();
        assertThat(b.get(0)).isFalse();
    }

    @Test
    void serializationSizeIsWholeWords() {
        assertThat(BlockDirtyBitmap.serializationSize(0)).isZero();
        assertThat(BlockDirtyBitmap.serializationSize(1)).isEqualTo(8);
        assertThat(BlockDirtyBitmap.serializationSize(64)).isEqualTo(8);
        assertThat(BlockDirtyBitmap.serializationSize(65)).isEqualTo(16);
        assertThat(BlockDirtyBitmap.serializationSize(8192)).isEqualTo(1024);
    }

    @Test
    void serializesLittleEndianWords() {
        BlockDirtyBitmap b = bitmap(512, MIB);
        b.set(0, 512); // bit 0
        b.set(9 * 512, 512); // bit 9
        b.set(64 * 512, 512); // bit 64: the second word's lowest bit
        b.set(127 * 512, 512); // bit 127: the second word's highest bit
        ByteBuffer out = ByteBuffer.allocate(16);
        b.serialize(0, 128, out);
        assertThat(out.array()).containsExactly(io.godwit.stream.Bytes.hex("01 02 00 00 00 00 00 00  01 00 00 00 00 00 00 80"));
        assertThat(out.order()).as("the buffer's order is left big-endian").isEqualTo(ByteOrder.BIG_ENDIAN);
    }

    @Test
    void serializesARangeStartingAtASecondWord() {
        BlockDirtyBitmap b = bitmap(512, MIB);
        b.set(0, 64 * 512); // the whole first word
        b.set(65 * 512, 512);
        ByteBuffer out = ByteBuffer.allocate(8);
        b.serialize(64, 64, out);
        assertThat(out.array()).containsExactly(io.godwit.stream.Bytes.hex("02 00 00 00 00 00 00 00"));
    }

    @Test
    void serializingARangeEndingInsideAWordLeavesTheBitsPastItOut() {
        BlockDirtyBitmap b = bitmap(512, MIB);
        b.set(0, MIB); // every bit
        ByteBuffer out = ByteBuffer.allocate(16);
        b.serialize(0, 68, out); // a whole word, then bits 64..67
        assertThat(out.array()).containsExactly(io.godwit.stream.Bytes.hex("ff ff ff ff ff ff ff ff  0f 00 00 00 00 00 00 00"));
    }

    @Test
    void deserializingARangeSetsExactlyItsBitsAndLeavesOtherWords() {
        BlockDirtyBitmap src = bitmap(512, MIB);
        src.set(64 * 512, 512);
        src.set(130 * 512, 512);
        ByteBuffer buf = ByteBuffer.allocate(16);
        src.serialize(64, 128, buf);

        BlockDirtyBitmap dst = bitmap(512, MIB);
        dst.set(0, 512); // bit 0, in the word before the range
        dst.set(200 * 512, 512); // bit 200, in the word after it
        dst.set(70 * 512, 512); // inside the range: replaced
        dst.deserialize(64, 128, buf.flip());
        assertThat(setBits(dst)).containsExactly(0, 64, 130, 200);
        assertThat(buf.hasRemaining()).isFalse();
    }

    @Test
    void deserializingTheLastPartialWordIgnoresBitsPastTheRange() {
        BlockDirtyBitmap dst = bitmap(65536, MIB + 512); // 17 bits
        ByteBuffer buf = ByteBuffer.wrap(io.godwit.stream.Bytes.hex("01 00 ff ff ff ff ff ff"));
        dst.deserialize(0, 17, buf);
        assertThat(setBits(dst)).containsExactly(0, 16);
    }

    @Test
    void deserializingZeroesClearsOnlyTheRange() {
        BlockDirtyBitmap b = bitmap(512, MIB);
        b.set(0, MIB);
        b.deserializeZeroes(63, 66); // bits 63..128
        assertThat(b.count()).isEqualTo(2048 - 66);
        assertThat(b.get(62)).isTrue();
        assertThat(b.get(63)).isFalse();
        assertThat(b.get(128)).isFalse();
        assertThat(b.get(129)).isTrue();
    }

    @Test
    void sha256FollowsTheBits() {
        BlockDirtyBitmap a = bitmap(512, MIB);
        BlockDirtyBitmap b = bitmap(512, MIB);
        assertThat(a.sha256()).isEqualTo(b.sha256()).hasSize(64);
        a.set(77 * 512, 1);
        assertThat(a.sha256()).isNotEqualTo(b.sha256());
        b.set(77 * 512, 1);
        assertThat(a.sha256()).isEqualTo(b.sha256());
    }
}

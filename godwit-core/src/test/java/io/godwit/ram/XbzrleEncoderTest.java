package io.godwit.ram;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The encoder's bytes for known pages, worked out by hand from QEMU's format (migration/xbzrle.c). */
class XbzrleEncoderTest {
    private static final int PAGE = 4096;

    private static int encode(byte[] old, byte[] cur, byte[] dst) {
        return XbzrleEncoder.encode(old, cur, PAGE, dst, PAGE);
    }

    @Test
    void encodesRunsAsUleb128PairsAndLeavesOutTheTrailingUnchangedRun() {
        byte[] old = new byte[PAGE];
        byte[] cur = old.clone();
        cur[10] = 0x11;
        cur[11] = 0x22;
        cur[300] = 0x33;
        cur[4095] = 0x44;
        byte[] dst = new byte[PAGE];
        int n = encode(old, cur, dst);
        // 10 same, 2 new (11 22); 288 same = ULEB a0 02, 1 new (33); 3794 same = ULEB d2 1d, 1 new (44)
        assertThat(HexFormat.of().formatHex(dst, 0, n)).isEqualTo("0a021122a0020133d21d0144");
    }

    @Test
    void aChangeAtTheFirstByteStartsWithAnEmptyUnchangedRun() {
        byte[] old = new byte[PAGE];
        Arrays.fill(old, (byte) 7);
        byte[] cur = old.clone();
        cur[0] = 8;
        cur[1] = 9;
        byte[] dst = new byte[PAGE];
        assertThat(HexFormat.of().formatHex(dst, 0, encode(old, cur, dst))).isEqualTo("00020809");
    }

    @Test
    void anUnchangedPageEncodesToNothing() {
        byte[] old = new byte[PAGE];
        old[5] = 1;
        assertThat(encode(old, old.clone(), new byte[PAGE])).isEqualTo(XbzrleEncoder.UNCHANGED);
    }

    @Test
    void aPageChangedEverywhereOverflows() {
        byte[] old = new byte[PAGE];
        byte[] cur = new byte[PAGE];
        Arrays.fill(cur, (byte) 1);
        assertThat(encode(old, cur, new byte[PAGE])).isEqualTo(XbzrleEncoder.OVERFLOW);
        for (int i = 0; i < PAGE; i += 2) { // every other byte: 2 bytes of runs per new byte, past a page
            cur[i] = 0;
        }
        assertThat(encode(old, cur, new byte[PAGE])).isEqualTo(XbzrleEncoder.OVERFLOW);
    }

    @Test
    void theDecoderRebuildsTheKnownCase() {
        byte[] delta = HexFormat.of().parseHex("0a021122a0020133d21d0144");
        MemorySegment page = MemorySegment.ofArray(new byte[PAGE]);
        assertThat(XbzrleDecoder.apply(delta, page, PAGE)).isNull();
        byte[] got = page.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        assertThat(got[10]).isEqualTo((byte) 0x11);
        assertThat(got[11]).isEqualTo((byte) 0x22);
        assertThat(got[300]).isEqualTo((byte) 0x33);
        assertThat(got[4095]).isEqualTo((byte) 0x44);
        got[10] = got[11] = got[300] = got[4095] = 0;
        assertThat(got).containsOnly(0);
    }
}

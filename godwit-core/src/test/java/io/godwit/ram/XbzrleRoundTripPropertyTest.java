package io.godwit.ram;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Whatever the two pages, the encoder's output decodes onto the old page to give the new one; it is
 * the canonical encoding (maximal runs) unless it overflows, and it overflows only when the
 * canonical encoding would not have fitted with QEMU's two bytes of slack.
 */
class XbzrleRoundTripPropertyTest {
    private static final int PAGE = 4096;

    /** An old page and a new one: sparse edits, dense edits, a whole new page, or none. */
    record Pair(byte[] old, byte[] cur) {
        @Override
        public String toString() {
            int diff = 0;
            for (int i = 0; i < old.length; i++) {
                diff += old[i] != cur[i] ? 1 : 0;
            }
            return "pages differing in " + diff + " bytes";
        }
    }

    @Provide
    Arbitrary<Pair> pairs() {
        Arbitrary<Integer> edits = Arbitraries.oneOf(Arbitraries.integers().between(0, 16),
                Arbitraries.integers().between(0, 600), Arbitraries.integers().between(0, PAGE * 2));
        return Arbitraries.longs().flatMap(seed -> edits.map(n -> pair(seed, n)));
    }

    private static Pair pair(long seed, int edits) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] old = new byte[PAGE];
        if (r.nextBoolean()) {
            r.nextBytes(old);
        }
        byte[] cur = old.clone();
        if (edits >= PAGE * 2 - 100) {
            r.nextBytes(cur); // all different but by chance
            return new Pair(old, cur);
        }
        for (int i = 0; i < edits; i++) {
            int at = r.nextInt(PAGE);
            int len = 1 + r.nextInt(r.nextInt(10) == 0 ? 64 : 4);
            for (int j = at; j < Math.min(PAGE, at + len); j++) {
                cur[j] = (byte) r.nextInt(256);
            }
        }
        return new Pair(old, cur);
    }

    @Property(tries = 400)
    void decodesBackToTheNewPage(@ForAll("pairs") Pair p, @ForAll @IntRange(min = 0, max = PAGE) int dlen) {
        byte[] dst = new byte[PAGE];
        int n = XbzrleEncoder.encode(p.old(), p.cur(), PAGE, dst, dlen);
        byte[] canonical = canonical(p.old(), p.cur());
        if (n == XbzrleEncoder.UNCHANGED) {
            assertThat(p.cur()).isEqualTo(p.old());
            return;
        }
        if (n == XbzrleEncoder.OVERFLOW) {
            assertThat(canonical.length).isGreaterThan(dlen - 3);
            return;
        }
        assertThat(n).isLessThanOrEqualTo(dlen);
        byte[] delta = java.util.Arrays.copyOf(dst, n);
        assertThat(delta).isEqualTo(canonical);
        MemorySegment page = MemorySegment.ofArray(p.old().clone());
        assertThat(XbzrleDecoder.apply(delta, page, PAGE)).isNull();
        assertThat(page.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(p.cur());
    }

    @Property(tries = 100)
    void aFullPageBudgetOverflowsOnlyPagesThatWouldNotFit(@ForAll("pairs") Pair p) {
        int n = XbzrleEncoder.encode(p.old(), p.cur(), PAGE, new byte[PAGE], PAGE);
        int canonical = canonical(p.old(), p.cur()).length;
        if (canonical <= PAGE - 3) {
            assertThat(n).isNotEqualTo(XbzrleEncoder.OVERFLOW);
        }
    }

    /** The format written out plainly: maximal runs, byte by byte, no trailing unchanged run. */
    private static byte[] canonical(byte[] old, byte[] cur) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < PAGE) {
            int s = i;
            while (i < PAGE && old[i] == cur[i]) {
                i++;
            }
            if (i == PAGE) {
                break;
            }
            uleb(out, i - s);
            int c = i;
            while (i < PAGE && old[i] != cur[i]) {
                i++;
            }
            uleb(out, i - c);
            out.write(cur, c, i - c);
        }
        return out.toByteArray();
    }

    private static void uleb(ByteArrayOutputStream out, int v) {
        while (v >= 0x80) {
            out.write(v & 0x7f | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }
}

package io.godwit.ram;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * PageHash combines CRC32C and CRC32 so that a change within 64 consecutive bits is never missed.
 * A change is invisible to a CRC exactly when its polynomial is a multiple of the generator; the
 * tests build such changes for each CRC alone and show the pair still sees them.
 */
class PageHashTest {
    static final long CRC32C_POLY = 0x11EDC6F41L; // x^32 + ... (Castagnoli), normal form
    static final long CRC32_POLY = 0x104C11DB7L; // x^32 + ... (IEEE 802.3)

    @Test
    void theTwoGeneratorsAreCoprime() {
        assertThat(gcd(CRC32C_POLY, CRC32_POLY)).isEqualTo(1);
    }

    @Test
    void changesOneCrcMissesAreSeenByTheOther() {
        SplittableRandom r = new SplittableRandom(11);
        for (long generator : new long[] {CRC32C_POLY, CRC32_POLY}) {
            for (int i = 0; i < 2000; i++) {
                byte[] page = new byte[RamBlock.PAGE_SIZE];
                r.nextBytes(page);
                long q = r.nextLong(1L << 31) | 1; // degree < 31: the product fits in 64 bits
                long change = Long.reverse(clmul(generator, q)); // bit i of the store = i-th bit of the stream
                int at = r.nextInt(RamBlock.PAGE_SIZE - 7);
                byte[] changed = page.clone();
                MemorySegment c = MemorySegment.ofArray(changed);
                c.set(ValueLayout.JAVA_LONG_UNALIGNED, at, c.get(ValueLayout.JAVA_LONG_UNALIGNED, at) ^ change);

                long before = generator == CRC32C_POLY ? crc32c(page) : crc32(page);
                long after = generator == CRC32C_POLY ? crc32c(changed) : crc32(changed);
                assertThat(after).as("the change is a multiple of the generator: this CRC misses it").isEqualTo(before);
                assertThat(PageHash.of(c, 0)).isNotEqualTo(PageHash.of(MemorySegment.ofArray(page), 0));
            }
        }
    }

    @Test
    void zeroHashIsTheHashOfZeros() {
        assertThat(PageHash.ZERO).isEqualTo(PageHash.of(ZeroPages.page(), 0));
        assertThat(PageHash.of(MemorySegment.ofArray(new byte[RamBlock.PAGE_SIZE * 2]), RamBlock.PAGE_SIZE))
                .isEqualTo(PageHash.ZERO);
    }

    private static long crc32c(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return c.getValue();
    }

    private static long crc32(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }

    /** Carry-less product of two polynomials over GF(2) (bit i = coefficient of x^i). */
    static long clmul(long a, long b) {
        long p = 0;
        for (int i = 0; i < 64; i++) {
            if ((b >>> i & 1) != 0) {
                p ^= a << i;
            }
        }
        return p;
    }

    static long gcd(long a, long b) {
        while (b != 0) {
            long t = mod(a, b);
            a = b;
            b = t;
        }
        return a;
    }

    private static long mod(long a, long b) {
        int db = 63 - Long.numberOfLeadingZeros(b);
        while (a != 0 && 63 - Long.numberOfLeadingZeros(a) >= db) {
            a ^= b << (63 - Long.numberOfLeadingZeros(a) - db);
        }
        return a;
    }
}

package io.godwit.ram;

import static io.godwit.ram.RamBlock.PAGE_SIZE;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * A 64-bit hash of a 4 KiB page: CRC32C (Castagnoli) in the high half, CRC32 (IEEE 802.3) in the
 * low half. Both are intrinsics of the JVM (SSE4.2 crc32 and carry-less multiply on x86-64,
 * the CRC instructions on AArch64), so a page costs two fast passes over bytes already in cache.
 *
 * <p>Why two CRCs and not one: for two pages of equal length, the CRCs differ exactly when the
 * polynomial of the XOR of the pages is not a multiple of the generator. The two generators are
 * coprime (their GCD over GF(2) is 1; a test checks it), so a change is missed only when its
 * polynomial is a multiple of their product, of degree 64. Hence any change confined to 64
 * consecutive bits (one {@code long} store, aligned or not, or any smaller write) is always
 * detected, and an arbitrary change is missed with probability about 2^-64 instead of CRC32C's
 * 2^-32 (at 2^-32 a migration that compares a million changed pages a second would miss one
 * about every hour). A miss would leave a stale page on the destination; at 2^-64 that is far
 * below the rate of undetected memory errors. CRCs are not cryptographic: memory written by an
 * adversary who knows the scheme can defeat them, which is why the explicit and kernel backends
 * remain the exact ones.
 */
final class PageHash {
    /** The hash of a page of zeros. */
    static final long ZERO = of(MemorySegment.ofArray(new byte[PAGE_SIZE]), 0);

    private PageHash() {}

    /** The hash of the 4 KiB at {@code offset} of {@code seg}. */
    static long of(MemorySegment seg, long offset) {
        ByteBuffer bb = seg.asSlice(offset, PAGE_SIZE).asByteBuffer();
        CRC32C c = new CRC32C();
        c.update(bb);
        bb.rewind();
        CRC32 d = new CRC32();
        d.update(bb);
        return c.getValue() << 32 | d.getValue();
    }
}

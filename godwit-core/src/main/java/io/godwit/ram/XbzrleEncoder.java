package io.godwit.ram;

import java.util.Arrays;

/**
 * Encodes a page as the difference from its previous contents, in QEMU's XBZRLE format
 * (migration/xbzrle.c): alternating runs, each a ULEB128 count of unchanged bytes followed by a
 * ULEB128 count of changed bytes and those bytes. Runs are maximal, the first unchanged run may be
 * 0, and a trailing unchanged run is left out. {@link XbzrleDecoder} applies the result.
 */
public final class XbzrleEncoder {
    /** The page did not change: nothing needs to go. */
    public static final int UNCHANGED = 0;
    /** The encoding would not fit {@code dlen} bytes: send the page whole. */
    public static final int OVERFLOW = -1;
    private static final int MAX_PAGE = 1 << 14; // a run of a smaller page fits two ULEB128 bytes

    private XbzrleEncoder() {}

    /**
     * Encodes {@code cur[0..slen)} against {@code old[0..slen)} into {@code dst}, in at most
     * {@code dlen} bytes. The bounds checks are QEMU's, so a page overflows here exactly when it
     * overflows in QEMU.
     *
     * @return the encoded length, {@link #UNCHANGED} or {@link #OVERFLOW}
     */
    public static int encode(byte[] old, byte[] cur, int slen, byte[] dst, int dlen) {
        if (slen > MAX_PAGE) {
            throw new IllegalArgumentException("page of " + slen + " bytes; runs are encoded in at most two bytes");
        }
        int i = 0;
        int d = 0;
        while (i < slen) {
            if (d + 2 > dlen) {
                return OVERFLOW;
            }
            int m = Arrays.mismatch(old, i, slen, cur, i, slen); // vectorised: most of a page is equal
            int same = m < 0 ? slen - i : m;
            if (same == slen) {
                return UNCHANGED;
            }
            i += same;
            if (i == slen) {
                return d;
            }
            d = uleb(dst, d, same);
            if (d + 2 > dlen) {
                return OVERFLOW;
            }
            int start = i;
            while (i < slen && old[i] != cur[i]) {
                i++;
            }
            int changed = i - start;
            d = uleb(dst, d, changed);
            if (d + changed > dlen) {
                return OVERFLOW;
            }
            System.arraycopy(cur, start, dst, d, changed);
            d += changed;
        }
        return d;
    }

    /** Writes {@code v} (below 2^14, as QEMU's uleb128_encode_small takes) as ULEB128 in one or two bytes. */
    private static int uleb(byte[] dst, int d, int v) {
        if (v < 0x80) {
            dst[d] = (byte) v;
            return d + 1;
        }
        dst[d] = (byte) (v & 0x7f | 0x80);
        dst[d + 1] = (byte) (v >>> 7);
        return d + 2;
    }
}

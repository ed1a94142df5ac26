package io.godwit.ram;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Applies an XBZRLE-encoded page (QEMU migration/xbzrle.c) to the page's previous contents: a
 * sequence of runs, each a ULEB128 count of unchanged bytes and a ULEB128 count of new bytes
 * followed by those bytes. Counts are at most two bytes long, as QEMU encodes them.
 */
public final class XbzrleDecoder {
    private XbzrleDecoder() {}

    /**
     * Applies {@code src} to {@code page} (which may be null to only check the encoding).
     *
     * @return null when the encoding is sound, else what is wrong with it
     */
    public static String apply(byte[] src, MemorySegment page, long pageSize) {
        int i = 0;
        long d = 0;
        while (i < src.length) {
            long[] zrun = uleb(src, i);
            if (zrun == null) {
                return "bad unchanged-run length at byte " + i;
            }
            if (i > 0 && zrun[0] == 0) {
                return "empty unchanged run at byte " + i;
            }
            i = (int) zrun[1];
            d += zrun[0];
            long[] nzrun = uleb(src, i);
            if (nzrun == null || nzrun[0] == 0) {
                return "bad new-bytes run length at byte " + i;
            }
            i = (int) nzrun[1];
            long n = nzrun[0];
            if (d + n > pageSize || i + n > src.length) {
                return "run of " + n + " bytes at page offset " + d + " goes past the page or the record";
            }
            if (page != null) {
                MemorySegment.copy(src, i, page, ValueLayout.JAVA_BYTE, d, (int) n);
            }
            d += n;
            i += (int) n;
        }
        return null;
    }

    /** {value, next index}, or null when the bytes are not a ULEB128 of at most two bytes. */
    private static long[] uleb(byte[] src, int i) {
        if (i >= src.length) {
            return null;
        }
        int b0 = src[i] & 0xff;
        if ((b0 & 0x80) == 0) {
            return new long[] {b0, i + 1};
        }
        if (i + 1 >= src.length || (src[i + 1] & 0x80) != 0) {
            return null;
        }
        return new long[] {(b0 & 0x7f) | ((src[i + 1] & 0xffL) << 7), i + 2};
    }
}

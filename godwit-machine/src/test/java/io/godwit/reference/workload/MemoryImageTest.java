package io.godwit.reference.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/** The realistic image: the same for a seed, a mix of kinds, and compressible like real memory. */
class MemoryImageTest {
    private static final long SIZE = 48L << 20; // three chunks, so that several threads write it

    @Test
    void sameSeedGivesTheSameImageAndAnotherSeedAnotherOne() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = arena.allocate(SIZE, 4096);
            MemorySegment b = arena.allocate(SIZE, 4096);
            MemorySegment c = arena.allocate(SIZE, 4096);
            MemoryImage.fill(a, 7);
            MemoryImage.fill(b, 7);
            MemoryImage.fill(c, 8);
            assertThat(sha256(a)).isEqualTo(sha256(b));
            assertThat(sha256(a)).isNotEqualTo(sha256(c));
        }
    }

    @Test
    void kindsComeInTheirProportions() {
        SplittableRandom r = new SplittableRandom(1);
        Map<MemoryImage.Kind, Integer> n = new EnumMap<>(MemoryImage.Kind.class);
        for (int i = 0; i < 100_000; i++) {
            n.merge(MemoryImage.pick(r), 1, Integer::sum);
        }
        assertThat(n.get(MemoryImage.Kind.TEXT)).isBetween(19_000, 21_000);
        assertThat(n.get(MemoryImage.Kind.CODE)).isBetween(14_000, 16_000);
        assertThat(n.get(MemoryImage.Kind.HEAP)).isBetween(49_000, 51_000);
        assertThat(n.get(MemoryImage.Kind.ZERO)).isBetween(14_000, 16_000);
    }

    @Test
    void imageHasZeroPagesAndCompressesLikeMemoryNotLikeNoiseOrZeros() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment img = arena.allocate(SIZE, 4096);
            MemoryImage.fill(img, 3);
            long zeroPages = 0;
            long pages = SIZE / 4096;
            for (long p = 0; p < pages; p++) {
                if (img.asSlice(p * 4096, 4096).mismatch(MemorySegment.ofArray(new byte[4096])) == -1) {
                    zeroPages++;
                }
            }
            assertThat((double) zeroPages / pages).as("zero pages").isBetween(0.05, 0.30);
            double ratio = deflateRatio(img);
            assertThat(ratio).as("RAM / deflated, zero pages included").isBetween(1.5, 20.0);
        }
    }

    @Test
    void textPagesAreReadableAndHeapPagesHaveObjectHeaders() {
        ImagePages pages = new ImagePages(new SplittableRandom(5));
        byte[] page = new byte[4096];
        pages.page(MemoryImage.Kind.TEXT, page, 0);
        long printable = 0;
        for (byte b : page) {
            printable += (b >= 0x20 && b < 0x7f) || b == '\n' ? 1 : 0;
        }
        assertThat(printable).isEqualTo(4096);
        pages.page(MemoryImage.Kind.HEAP, page, 1 << 20);
        MemorySegment s = MemorySegment.ofArray(page);
        long headers = 0;
        for (int i = 0; i + 8 <= 4096; i += 8) {
            long mark = s.get(ValueLayout.JAVA_LONG_UNALIGNED, i);
            headers += (mark & 0xff) == 1 ? 1 : 0;
        }
        assertThat(headers).as("unlocked mark words").isGreaterThan(10);
    }

    private static double deflateRatio(MemorySegment seg) {
        Deflater d = new Deflater(1);
        byte[] in = seg.toArray(ValueLayout.JAVA_BYTE);
        d.setInput(in);
        d.finish();
        byte[] out = new byte[1 << 20];
        long total = 0;
        while (!d.finished()) {
            total += d.deflate(out);
        }
        d.end();
        return (double) in.length / total;
    }

    private static String sha256(MemorySegment s) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(s.asByteBuffer());
        return java.util.HexFormat.of().formatHex(md.digest());
    }
}

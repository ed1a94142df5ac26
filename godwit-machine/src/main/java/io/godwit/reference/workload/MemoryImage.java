package io.godwit.reference.workload;

import io.godwit.machine.Machine;
import io.godwit.ram.RamBlock;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A memory image that compresses the way a real machine's does, for compression benchmarks: runs
 * of pages of text (English-like prose, Java-like source, log lines), code (pages of the JDK's own
 * {@code libjvm.so}, or x86-like bytes when it cannot be read), heap (objects with headers,
 * compressed pointers, small integers, strings and zero gaps) and zero pages, in the proportions
 * of {@link #TEXT_PERCENT}, {@link #CODE_PERCENT}, {@link #HEAP_PERCENT}, the rest zero. Each run
 * is 8 to 64 pages of one kind. The same seed gives the same image (with the same JDK for code
 * pages), whatever the number of threads that write it.
 */
public final class MemoryImage {
    public static final int TEXT_PERCENT = 20;
    public static final int CODE_PERCENT = 15;
    public static final int HEAP_PERCENT = 50;
    static final int PAGE = 4096;
    private static final long CHUNK = 16 << 20;

    /** What a run of pages holds. */
    public enum Kind { TEXT, CODE, HEAP, ZERO }

    private MemoryImage() {}

    /** Fills every block of {@code machine} and marks it written. */
    public static void fill(Machine machine, long seed) {
        for (RamBlock b : machine.ram()) {
            fill(b, seed ^ b.name().hashCode());
        }
    }

    public static void fill(RamBlock b, long seed) {
        fill(b.segment(), seed);
        b.markWritten(0, b.size());
    }

    /** Writes the image into {@code seg} (its size a multiple of 4 KiB or not; a last partial page is zero). */
    public static void fill(MemorySegment seg, long seed) {
        int chunks = (int) ((seg.byteSize() + CHUNK - 1) / CHUNK);
        IntStream.range(0, chunks).parallel().forEach(c -> fillChunk(seg, c * CHUNK,
                Math.min(seg.byteSize(), (c + 1) * CHUNK), new SplittableRandom(seed * 31 + c)));
    }

    private static void fillChunk(MemorySegment seg, long from, long to, SplittableRandom r) {
        ImagePages pages = new ImagePages(r);
        byte[] page = new byte[PAGE];
        long off = from;
        while (off + PAGE <= to) {
            Kind kind = pick(r);
            int run = 8 + r.nextInt(57);
            for (int i = 0; i < run && off + PAGE <= to; i++, off += PAGE) {
                if (kind == Kind.ZERO) {
                    seg.asSlice(off, PAGE).fill((byte) 0);
                    continue;
                }
                pages.page(kind, page, off);
                MemorySegment.copy(MemorySegment.ofArray(page), 0, seg, off, PAGE);
            }
        }
        if (off < to) {
            seg.asSlice(off, to - off).fill((byte) 0);
        }
    }

    static Kind pick(SplittableRandom r) {
        int p = r.nextInt(100);
        if (p < TEXT_PERCENT) {
            return Kind.TEXT;
        }
        if (p < TEXT_PERCENT + CODE_PERCENT) {
            return Kind.CODE;
        }
        return p < TEXT_PERCENT + CODE_PERCENT + HEAP_PERCENT ? Kind.HEAP : Kind.ZERO;
    }
}

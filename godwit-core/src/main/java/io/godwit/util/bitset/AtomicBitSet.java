package io.godwit.util.bitset;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One bit per page, set by writers concurrently and taken by the migration atomically (QEMU's
 * dirty log). A writer stores its data first and marks second; marking is an atomic OR, which
 * orders the store before the mark, so whoever takes the mark then reads the page sees the data.
 */
public final class AtomicBitSet {
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] words;
    private final long pages;

    public AtomicBitSet(long pages) {
        this.pages = pages;
        this.words = new long[(int) ((pages + 63) >>> 6)];
    }

    public long pages() {
        return pages;
    }

    public void mark(long page) {
        WORDS.getAndBitwiseOr(words, (int) (page >>> 6), 1L << page);
    }

    /** Marks pages {@code [from, to)}. */
    public void markRange(long from, long to) {
        long p = from;
        while (p < to) {
            int w = (int) (p >>> 6);
            long bits = -1L << p;
            long wordEnd = ((long) w + 1) << 6;
            if (to < wordEnd) {
                bits &= -1L >>> (64 - (to & 63));
            }
            WORDS.getAndBitwiseOr(words, w, bits);
            p = wordEnd;
        }
    }

    public void clear(long page) {
        WORDS.getAndBitwiseAnd(words, (int) (page >>> 6), ~(1L << page));
    }

    /** How many pages are marked now. */
    public long count() {
        long n = 0;
        for (int i = 0; i < words.length; i++) {
            n += Long.bitCount((long) WORDS.getVolatile(words, i));
        }
        return n;
    }

    /** A copy of the words as they are now. */
    public long[] snapshot() {
        long[] copy = new long[words.length];
        for (int i = 0; i < words.length; i++) {
            copy[i] = (long) WORDS.getVolatile(words, i);
        }
        return copy;
    }

    public boolean isMarked(long page) {
        return ((long) WORDS.getVolatile(words, (int) (page >>> 6)) & (1L << page)) != 0;
    }

    /**
     * Takes every mark: clears it here and ORs it into {@code into} (and {@code alsoInto}, if not
     * null). Returns how many pages were newly set in {@code into}.
     */
    public long drainInto(long[] into, long[] alsoInto) {
        return drainInto(into, alsoInto, null);
    }

    /**
     * As {@link #drainInto(long[], long[])}, and adds to {@code taken[0]} (if not null) every mark
     * taken, newly set in {@code into} or not: the pages written since the last drain.
     */
    public long drainInto(long[] into, long[] alsoInto, long[] taken) {
        long fresh = 0;
        long all = 0;
        for (int i = 0; i < words.length; i++) {
            // a plain read skips clean words cheaply; a mark racing with it is taken next time
            if (words[i] == 0) {
                continue;
            }
            long v = (long) WORDS.getAndSet(words, i, 0L);
            fresh += Long.bitCount(v & ~into[i]);
            all += Long.bitCount(v);
            into[i] |= v;
            if (alsoInto != null) {
                alsoInto[i] |= v;
            }
        }
        if (taken != null) {
            taken[0] += all;
        }
        return fresh;
    }

    /** Word {@code i} as it is now (for tests and zero-knowledge checks on a stopped machine). */
    public long word(int i) {
        return (long) WORDS.getVolatile(words, i);
    }

    public int wordCount() {
        return words.length;
    }
}

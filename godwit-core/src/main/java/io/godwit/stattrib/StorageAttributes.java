package io.godwit.stattrib;

import io.godwit.util.bitset.AtomicBitSet;
import io.godwit.ram.RamBlock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * One state byte per page of a machine's RAM (pages numbered across its blocks in order), with
 * its own dirty tracking: a change marks the page, and migration sends the marked values. A write
 * to an UNUSED page through the RAM API makes it STABLE again, as a guest must before reusing a
 * page it gave up. An UNUSED page reads as zero; when it leaves that state its RAM page is marked
 * dirty, because the content it now has (whatever the memory held) was never sent.
 */
public final class StorageAttributes {
    private static final VarHandle BYTES = MethodHandles.arrayElementVarHandle(byte[].class);

    private final RamBlock[] blocks;
    private final long[] firstPage;
    private final java.util.Map<RamBlock, Long> base = new java.util.IdentityHashMap<>();
    private final byte[] states;
    private final AtomicBitSet changed;

    public StorageAttributes(List<RamBlock> ram) {
        blocks = ram.toArray(RamBlock[]::new);
        firstPage = new long[blocks.length];
        long n = 0;
        for (int i = 0; i < blocks.length; i++) {
            firstPage[i] = n;
            base.put(blocks[i], n);
            n += blocks[i].pages();
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many pages for storage attributes: " + n);
        }
        states = new byte[(int) n];
        changed = new AtomicBitSet(n);
        for (int i = 0; i < blocks.length; i++) {
            long base = firstPage[i];
            blocks[i].onWrite(page -> written(base + page));
        }
    }

    public long pages() {
        return states.length;
    }

    /** The global page number of {@code page} of {@code block}. */
    public long gfn(RamBlock block, long page) {
        Long b = base.get(block);
        if (b == null) {
            throw new IllegalArgumentException("block " + block.name() + " is not covered");
        }
        return b + page;
    }

    /** True when {@code page} of {@code block} is UNUSED. */
    public boolean unused(RamBlock block, long page) {
        return unused(gfn(block, page));
    }

    public PageState get(long gfn) {
        return PageState.of((byte) BYTES.getVolatile(states, (int) gfn));
    }

    public boolean unused(long gfn) {
        return (byte) BYTES.getVolatile(states, (int) gfn) == PageState.UNUSED.value;
    }

    public void set(long gfn, PageState s) {
        byte v = (byte) s.value;
        byte was = (byte) BYTES.getAndSet(states, (int) gfn, v);
        if (was != v) {
            changed.mark(gfn);
            if (was == PageState.UNUSED.value) {
                // it read as zero and was sent as zero; from now on its content counts again
                int b = blockOf(gfn);
                blocks[b].dirtyBitmap().mark(gfn - firstPage[b]);
            }
        }
    }

    private int blockOf(long gfn) {
        int b = java.util.Arrays.binarySearch(firstPage, gfn);
        if (b < 0) {
            b = -b - 2;
        }
        // blocks of no pages share a first page with the next: take the one that holds it
        while (gfn - firstPage[b] >= blocks[b].pages()) {
            b++;
        }
        return b;
    }

    private void written(long gfn) {
        if ((byte) BYTES.getVolatile(states, (int) gfn) == PageState.UNUSED.value) {
            set(gfn, PageState.STABLE);
        }
    }

    /** How many pages are in state {@code s}. */
    public long count(PageState s) {
        long n = 0;
        for (int i = 0; i < states.length; i++) {
            if ((byte) BYTES.getVolatile(states, i) == s.value) {
                n++;
            }
        }
        return n;
    }

    /** SHA-256 of every page's state byte, in page order. */
    public byte[] digest() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(states);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    AtomicBitSet changed() {
        return changed;
    }

    byte raw(long gfn) {
        return (byte) BYTES.getVolatile(states, (int) gfn);
    }

    /**
     * Sets a loaded value (the destination): nothing is marked. A page that arrives UNUSED is
     * discarded, so it reads as zero here whatever it held before.
     */
    void load(long gfn, byte v) {
        PageState.of(v);
        BYTES.setVolatile(states, (int) gfn, v);
        if (v == PageState.UNUSED.value) {
            int b = blockOf(gfn);
            blocks[b].segment().asSlice((gfn - firstPage[b]) << RamBlock.PAGE_SHIFT, RamBlock.PAGE_SIZE).fill((byte) 0);
        }
    }
}

package io.godwit.block;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A named dirty bitmap on a block device, as QEMU keeps for incremental backup: one bit per
 * {@code granularity} bytes, set by every write while the bitmap is enabled (recording).
 * Serialised as QEMU's hbitmap does, in little-endian 64-bit words.
 */
public final class BlockDirtyBitmap {
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final String name;
    private final int granularity;
    private final long deviceSize;
    private final long bits;
    private final long[] words;
    private volatile boolean enabled;
    private volatile boolean persistent;

    /**
     * @param granularity bytes per bit: a power of two from 512 to 2 GiB (QEMU's range)
     */
    public BlockDirtyBitmap(String name, int granularity, long deviceSize, boolean enabled, boolean persistent) {
        if (name.isEmpty() || name.length() > 255) {
            throw new IllegalArgumentException("bitmap name must be 1 to 255 characters: '" + name + "'");
        }
        checkGranularity(granularity);
        this.name = name;
        this.granularity = granularity;
        this.deviceSize = deviceSize;
        this.bits = (deviceSize + granularity - 1) / granularity;
        this.words = new long[(int) ((bits + 63) >>> 6)];
        this.enabled = enabled;
        this.persistent = persistent;
    }

    /** Refuses a granularity QEMU would not take: a power of two from 512 bytes up. */
    public static void checkGranularity(int granularity) {
        if (granularity < 512 || Integer.bitCount(granularity) != 1) {
            throw new IllegalArgumentException("Granularity must be power of 2 between 512 and 2147483648: "
                    + granularity);
        }
    }

    public String name() {
        return name;
    }

    public int granularity() {
        return granularity;
    }

    public long bits() {
        return bits;
    }

    public boolean enabled() {
        return enabled;
    }

    public void setEnabled(boolean on) {
        enabled = on;
    }

    public boolean persistent() {
        return persistent;
    }

    public void setPersistent(boolean on) {
        persistent = on;
    }

    /** Records a write of {@code len} bytes at {@code offset}, if the bitmap is recording. */
    public void recordWrite(long offset, long len) {
        if (enabled && len > 0) {
            set(offset, len);
        }
    }

    /** Marks {@code [offset, offset + len)} dirty regardless of recording. */
    public void set(long offset, long len) {
        if (offset < 0 || len < 0) {
            throw new IllegalArgumentException("negative range: offset " + offset + ", length " + len);
        }
        if (len == 0) {
            return; // an empty range touches no chunk
        }
        for (long b = offset / granularity; b <= (offset + len - 1) / granularity && b < bits; b++) {
            WORDS.getAndBitwiseOr(words, (int) (b >>> 6), 1L << b);
        }
    }

    public boolean get(long bit) {
        return ((long) WORDS.getVolatile(words, (int) (bit >>> 6)) & (1L << bit)) != 0;
    }

    /** How many bits are set ("count" in query-block, in bytes: count x granularity). */
    public long count() {
        long n = 0;
        for (int i = 0; i < words.length; i++) {
            n += Long.bitCount((long) WORDS.getVolatile(words, i));
        }
        return n;
    }

    public void clear() {
        for (int i = 0; i < words.length; i++) {
            WORDS.setVolatile(words, i, 0L);
        }
    }

    /** Bytes that serialising bits {@code [first, first + n)} takes, before alignment. */
    public static long serializationSize(long n) {
        return (n + 63) / 64 * 8;
    }

    /** Writes bits {@code [first, first + n)} (first a multiple of 64) as little-endian words. */
    public void serialize(long first, long n, ByteBuffer out) {
        out.order(ByteOrder.LITTLE_ENDIAN);
        for (long w = first >>> 6; w < (first + n + 63) >>> 6; w++) {
            long v = (long) WORDS.getVolatile(words, (int) w);
            long end = first + n;
            if (((w + 1) << 6) > end) {
                v &= -1L >>> (64 - (end & 63)); // bits past the range are not sent
            }
            out.putLong(v);
        }
        out.order(ByteOrder.BIG_ENDIAN);
    }

    /** Sets bits {@code [first, first + n)} from little-endian words (the destination). */
    public void deserialize(long first, long n, ByteBuffer in) {
        in.order(ByteOrder.LITTLE_ENDIAN);
        for (long w = first >>> 6; w < (first + n + 63) >>> 6; w++) {
            long v = in.getLong();
            long end = first + n;
            if (((w + 1) << 6) > end) {
                v &= -1L >>> (64 - (end & 63));
            }
            WORDS.setVolatile(words, (int) w, v);
        }
        in.order(ByteOrder.BIG_ENDIAN);
    }

    /** ORs bits {@code [first, first + n)} in from little-endian words, keeping the bits already set. */
    public void merge(long first, long n, ByteBuffer in) {
        in.order(ByteOrder.LITTLE_ENDIAN);
        for (long w = first >>> 6; w < (first + n + 63) >>> 6; w++) {
            long v = in.getLong();
            long end = first + n;
            if (((w + 1) << 6) > end) {
                v &= -1L >>> (64 - (end & 63));
            }
            WORDS.getAndBitwiseOr(words, (int) w, v);
        }
        in.order(ByteOrder.BIG_ENDIAN);
    }

    /** Clears bits {@code [first, first + n)} (a ZEROES chunk). */
    public void deserializeZeroes(long first, long n) {
        for (long b = first; b < first + n && b < bits; b++) {
            WORDS.getAndBitwiseAnd(words, (int) (b >>> 6), ~(1L << b));
        }
    }

    /** SHA-256 of the bitmap's bits (QEMU's x-debug-block-dirty-bitmap-sha256, in hex). */
    public String sha256() {
        ByteBuffer b = ByteBuffer.allocate((int) serializationSize(words.length * 64L));
        serialize(0, bits, b);
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public long deviceSize() {
        return deviceSize;
    }
}

package io.godwit.machine;

import io.godwit.ram.RamBlock;

/**
 * Writes a byte into many pages of a RAM block through the RAM API, so the writes are tracked as
 * dirty: how a test or a user dirties a machine that runs no workload of its own (a blank machine
 * holding a QEMU guest, for one) while it migrates ({@code x-ram-write}).
 */
public final class RamWrites {
    /** The most bytes one call writes: a command must not hold the monitor for long. */
    public static final long MAX_COUNT = 1 << 20;

    private RamWrites() {}

    /**
     * Puts {@code value} at {@code offset + i * stride} for i in [0, count).
     *
     * @throws IllegalArgumentException for an unknown block or a write outside it
     */
    public static void write(Machine m, String block, long offset, long count, long stride, int value) {
        RamBlock b = checked(m, block, offset, count, stride, value);
        for (long i = 0; i < count; i++) {
            b.putByte(offset + i * stride, (byte) value);
        }
    }

    /**
     * As {@link #write}, over and over on a thread of its own, the value going up by one (1 after
     * 255) each time, until the returned handle is closed: memory that keeps changing while it
     * migrates, on a machine that runs no workload.
     */
    public static AutoCloseable repeat(Machine m, String block, long offset, long count, long stride, int value) {
        RamBlock b = checked(m, block, offset, count, stride, value);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread t = Thread.ofPlatform().daemon().name("godwit-ram-write").start(() -> {
            for (int v = value; !stop.get(); v = v % 255 + 1) {
                for (long i = 0; i < count; i++) {
                    b.putByte(offset + i * stride, (byte) v);
                }
                Thread.yield();
            }
        });
        return () -> {
            stop.set(true);
            t.join();
        };
    }

    private static RamBlock checked(Machine m, String block, long offset, long count, long stride, int value) {
        RamBlock b = m.ram(block);
        if (b == null) {
            throw new IllegalArgumentException("x-ram-write: no RAM block '" + block + "'");
        }
        if (count < 1 || count > MAX_COUNT || stride < 1 || offset < 0 || value < 0 || value > 255) {
            throw new IllegalArgumentException("x-ram-write: expected a count of 1 to " + MAX_COUNT
                    + ", a positive stride, an offset of at least 0 and a value of 0 to 255");
        }
        if (stride > b.size() || offset >= b.size() || offset + (count - 1) * stride >= b.size()) {
            long last = offset >= b.size() ? offset : offset + (count - 1) * stride; // both below 2^20 x size
            throw new IllegalArgumentException("x-ram-write: byte " + last + " is outside block '" + block + "' of "
                    + b.size() + " bytes");
        }
        return b;
    }
}

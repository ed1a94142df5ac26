package io.godwit.bench.loopback;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/** What both peers do to their off-heap memory outside the clock, and the shares of a run. */
final class LoopbackMemory {
    static final long PAGE = 4096;
    /** The largest ByteBuffer view taken of the memory at once (a ByteBuffer holds under 2 GiB). */
    static final long WINDOW = 1L << 30;

    private LoopbackMemory() {}

    /**
     * Where connection {@code index} of {@code connections} starts in the first {@code bytes}, on a
     * page boundary; {@code index == connections} gives the end. Bytes stay under 2^43, so the
     * product cannot overflow.
     */
    static long shareStart(long bytes, int connections, int index) {
        return index == connections ? bytes : bytes * index / connections & -PAGE;
    }

    /** Random bytes in every page. */
    static void fillRandom(MemorySegment mem) {
        SplittableRandom random = new SplittableRandom();
        long longs = mem.byteSize() / 8;
        for (long i = 0; i < longs; i++) {
            mem.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
        }
        for (long i = longs * 8; i < mem.byteSize(); i++) {
            mem.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
        }
    }

    /** A write in every page, so none is first touched while the clock runs. */
    static void touch(MemorySegment mem) {
        for (long off = 0; off < mem.byteSize(); off += PAGE) {
            mem.set(ValueLayout.JAVA_BYTE, off, (byte) 0);
        }
    }

    /** CRC-32C of the first {@code bytes} (the JDK's intrinsic: cheap next to a digest). */
    static long crc(MemorySegment mem, long bytes) {
        CRC32C crc = new CRC32C();
        for (long off = 0; off < bytes; off += WINDOW) {
            ByteBuffer b = mem.asSlice(off, Math.min(WINDOW, bytes - off)).asByteBuffer();
            crc.update(b);
        }
        return crc.getValue();
    }
}

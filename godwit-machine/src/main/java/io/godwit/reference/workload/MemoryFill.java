package io.godwit.reference.workload;

import io.godwit.machine.Machine;
import io.godwit.ram.RamBlock;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** Initial memory content for benchmarks and demos: random bytes everywhere, in parallel. */
public final class MemoryFill {
    private static final long CHUNK = 16 << 20;

    private MemoryFill() {}

    /** Fills every block with pseudo-random bytes from {@code seed} and marks it written. */
    public static void random(Machine machine, long seed) {
        for (RamBlock b : machine.ram()) {
            random(b, seed ^ b.name().hashCode());
        }
    }

    public static void random(RamBlock b, long seed) {
        MemorySegment seg = b.segment();
        int chunks = (int) ((b.size() + CHUNK - 1) / CHUNK);
        IntStream.range(0, chunks).parallel().forEach(c -> {
            SplittableRandom r = new SplittableRandom(seed + c);
            long end = Math.min(b.size(), (c + 1) * CHUNK);
            for (long off = c * CHUNK; off < end; off += 8) {
                seg.set(ValueLayout.JAVA_LONG, off, r.nextLong());
            }
        });
        b.markWritten(0, b.size());
    }
}

package io.godwit.reference.workload;

import io.godwit.block.BlockDevice;
import io.godwit.machine.Machine;
import io.godwit.vcpu.Workload;
import io.godwit.vcpu.WorkloadPacer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Writes a disk at a set rate, in 4 KiB writes of random bytes: at random places, or one after
 * the other (wrapping at the end), as a log or a database would.
 */
public final class DiskWriter implements Workload {
    public static final int WRITE = 4096;

    private final BlockDevice disk;
    private final long bytesPerSecond;
    private final boolean sequential;
    private final SplittableRandom random;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(WRITE);
    private long next;

    public DiskWriter(BlockDevice disk, long bytesPerSecond, boolean sequential, long seed) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("disk write rate must be positive: " + bytesPerSecond);
        }
        this.disk = disk;
        this.bytesPerSecond = bytesPerSecond;
        this.sequential = sequential;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public String name() {
        return "disk-" + disk.name() + (sequential ? ":seq:" : ":random:") + bytesPerSecond;
    }

    @Override
    public void step(WorkloadPacer pacer) {
        long due = pacer.due(bytesPerSecond / (double) WRITE, 256);
        long slots = disk.size() / WRITE;
        try {
            for (long i = 0; i < due; i++) {
                long slot = sequential ? next++ % slots : random.nextLong(slots);
                buf.clear();
                while (buf.hasRemaining()) {
                    buf.putLong(random.nextLong());
                }
                buf.flip();
                disk.write(slot * WRITE, buf);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("disk " + disk.name() + ": " + e.getMessage(), e);
        }
        pacer.did(due);
    }
}

package io.godwit.ram;

import io.godwit.savevm.LoadContext;
import io.godwit.savevm.Pending;
import io.godwit.savevm.SaveContext;
import io.godwit.savevm.SaveVmHandler;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A live handler with no data that holds the migration in pre-copy until the writers have swept
 * their pages once after RAM's bulk pass. Registered after RAM, it gets its first iteration only
 * once RAM has sent every page; it then asks for a sweep and waits for it. So every page is
 * written after it was first sent: only a tracker that sees plain stores gets them to the
 * destination.
 */
final class SweepGate implements SaveVmHandler {
    static final String IDSTR = "test/sweep-gate";
    private static final long WAIT_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final AtomicLong sweepsRequested;
    private final List<PlainStoreWriter> writers;
    private volatile boolean swept;

    SweepGate(AtomicLong sweepsRequested, List<PlainStoreWriter> writers) {
        this.sweepsRequested = sweepsRequested;
        this.writers = writers;
    }

    boolean swept() {
        return swept;
    }

    @Override
    public void pendingEstimate(long thresholdSize, Pending pending) {
        if (!swept) {
            pending.addMustPrecopy(Long.MAX_VALUE / 4); // never fits the threshold
        }
    }

    @Override
    public boolean saveLiveIterate(SaveContext ctx) throws IOException {
        if (!swept) {
            long target = sweepsRequested.incrementAndGet();
            long deadline = System.nanoTime() + WAIT_NANOS;
            while (!writers.stream().allMatch(w -> w.sweepsDone() >= target)) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the writers did not sweep their pages within a minute");
                }
                LockSupport.parkNanos(100_000);
            }
            swept = true;
        }
        return true;
    }

    @Override
    public void loadState(LoadContext ctx, int versionId) {
        // no data
    }
}

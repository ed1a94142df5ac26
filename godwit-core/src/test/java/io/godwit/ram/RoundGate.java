package io.godwit.ram;

import io.godwit.savevm.LoadContext;
import io.godwit.savevm.Pending;
import io.godwit.savevm.SaveContext;
import io.godwit.savevm.SaveVmHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A live handler with no data that drives pre-copy one round of RAM at a time until the test
 * releases it. Registered after RAM, it hears each sync of the dirty bitmap just after RAM made
 * it, and while held it:
 * <ul>
 * <li>reports more than any threshold in its exact figure, so no sync can end the loop (with a
 * threshold under a page the loop completes as soon as a sync finds nothing dirty, which a
 * starved writer allows);</li>
 * <li>before the next sync, waits on the migration thread until the writer has swept all its
 * pages once more, so every sync finds every page dirty and every round sends them all.</li>
 * </ul>
 * So the number of rounds is what the test says, however busy the machine is.
 */
final class RoundGate implements SaveVmHandler {
    static final String IDSTR = "test/round-gate";
    private static final long WAIT_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final LongSupplier sweepsDone;
    private volatile boolean held = true;
    private volatile long syncs;
    private long sweepsAtSync; // migration thread only

    /** {@code sweepsDone}: how many times the writer has written every one of its pages. */
    RoundGate(LongSupplier sweepsDone) {
        this.sweepsDone = sweepsDone;
    }

    /** Syncs of the dirty bitmap after the setup's, while held: the rounds after the first. */
    long syncs() {
        return syncs;
    }

    /** Lets the migration complete when its threshold allows. */
    void release() {
        held = false;
    }

    @Override
    public void saveSetup(SaveContext ctx) {
        sweepsAtSync = sweepsDone.getAsLong(); // RAM, set up first, has marked every page dirty
    }

    /**
     * Called before every exact figure: waits for a sweep that began after the last sync. The
     * sweep in progress at that sync ends no earlier than the count read then plus one; the one
     * after it started later.
     */
    @Override
    public void pendingEstimate(long thresholdSize, Pending pending) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (held && sweepsDone.getAsLong() < sweepsAtSync + 2) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the writer did not sweep its pages within a minute");
            }
            LockSupport.parkNanos(100_000);
        }
    }

    @Override
    public void pendingExact(long thresholdSize, Pending pending) {
        if (held) {
            sweepsAtSync = sweepsDone.getAsLong(); // RAM, registered first, has just synced
            syncs++;
            pending.addMustPrecopy(Long.MAX_VALUE / 4); // never fits the threshold
        }
    }

    @Override
    public void loadState(LoadContext ctx, int versionId) {
        // no data
    }
}

package io.godwit.migration;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The point of no return of an outgoing migration: a cancel wins only while the phase is still
 * pre-copy; once the stream ends (or the switch to post-copy begins) the destination may run, so
 * a failure no longer lets the source run again unless the destination said it failed first.
 * Passed by the migration thread; a cancel may come from any thread.
 */
final class PointOfNoReturn {
    private static final int PHASE_PRECOPY = 0;
    private static final int PHASE_CANCELLED = 1;
    private static final int PHASE_SWITCHING = 2;

    private final AtomicInteger phase = new AtomicInteger(PHASE_PRECOPY);
    private volatile boolean inPostcopy; // past the package: the destination may run
    private volatile boolean cancelAbandoned;
    private volatile boolean destinationFailed;

    /** A cancel before the point; false once the phase is no longer pre-copy. */
    boolean cancel() {
        return phase.compareAndSet(PHASE_PRECOPY, PHASE_CANCELLED);
    }

    /** A cancel won: the migration stops at its next check. */
    boolean cancelled() {
        return phase.get() == PHASE_CANCELLED;
    }

    /** Past the point: the stream ends, or the switch to post-copy began. */
    boolean passed() {
        return phase.get() == PHASE_SWITCHING;
    }

    /** The point of no return of stop-copy; false when a cancel came first. */
    boolean pass() {
        return phase.compareAndSet(PHASE_PRECOPY, PHASE_SWITCHING);
    }

    /** The point of no return of a switch to post-copy; false when a cancel came first. */
    boolean passToPostcopy() {
        if (!pass()) {
            return false;
        }
        inPostcopy = true;
        return true;
    }

    boolean inPostcopy() {
        return inPostcopy;
    }

    /** A cancel past the point: stop waiting for a destination that never answers. */
    void abandonWait() {
        cancelAbandoned = true;
    }

    boolean cancelAbandoned() {
        return cancelAbandoned;
    }

    /** The destination said it failed before it ran: the source may run again. */
    void destinationFailed() {
        destinationFailed = true;
    }

    /** Past the point, and the destination did not say it failed: it may run. */
    boolean handedOver() {
        return passed() && !destinationFailed;
    }
}

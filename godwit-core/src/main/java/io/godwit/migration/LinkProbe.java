package io.godwit.migration;

import io.godwit.clock.Clock;

/**
 * Times the link during pre-copy: a PING in the main stream every {@link #INTERVAL_NANOS}, until
 * its PONG comes back on the return path. The destination answers a PING only when it reaches it
 * in the stream, so the round trip includes the bytes it has yet to load: what a switch waits for
 * after its last byte is sent. The migration thread sends and reads; the return path's thread
 * reports PONGs.
 */
final class LinkProbe {
    /** PING values of the probe ("GW" and a sequence number); other PINGs are not ours. */
    static final int FIRST_ID = 0x47570000;
    static final int ID_MASK = 0xffff0000;
    static final long INTERVAL_NANOS = 250_000_000L;

    private final Clock clock;
    private int nextId = FIRST_ID;      // migration thread
    private int outstanding = -1;       // migration thread
    private long sentAt;                // migration thread
    private long lastRttNanos;          // migration thread
    private boolean answered;           // migration thread: a PONG came back at least once
    private volatile int answeredId = -1;
    private volatile long answeredAt;

    LinkProbe(Clock clock) {
        this.clock = clock;
    }

    static boolean owns(int pingValue) {
        return (pingValue & ID_MASK) == FIRST_ID;
    }

    /** From the return path: the PONG for {@code id} arrived. */
    void ponged(int id) {
        answeredAt = clock.nanoTime();
        answeredId = id;
    }

    /** The id of the PING to send now, or -1 when one is still out or the last was too recent. */
    int due() {
        long now = clock.nanoTime();
        settle();
        if (outstanding >= 0 || (nextId != FIRST_ID && now - sentAt < INTERVAL_NANOS)) {
            return -1;
        }
        return nextId;
    }

    /** The PING {@code id} went out (flushed) now. */
    void sent(int id) {
        outstanding = id;
        sentAt = clock.nanoTime();
        nextId = FIRST_ID | ((id + 1) & ~ID_MASK);
    }

    /**
     * The round trip: the last one measured, or the age of the PING still out if that is longer
     * already (the destination fell behind). 0 until a first PONG: a peer that does not answer
     * tells nothing about the link.
     */
    long rttNanos() {
        settle();
        long waiting = outstanding >= 0 && answered ? clock.nanoTime() - sentAt : 0;
        return Math.max(lastRttNanos, waiting);
    }

    private void settle() {
        if (outstanding >= 0 && answeredId == outstanding) {
            lastRttNanos = answeredAt - sentAt;
            outstanding = -1;
            answered = true;
        }
    }
}

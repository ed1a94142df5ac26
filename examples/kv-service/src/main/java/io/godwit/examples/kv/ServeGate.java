package io.godwit.examples.kv;

import java.net.URI;
import java.time.Duration;

/**
 * Who may use the table now, and what a request gets when it may not. A source serves until its
 * node stops for the switchover; from then on requests wait: if the migration completes they are
 * sent to the destination (which runs by then), if it fails or is cancelled the source serves them
 * itself. A destination makes requests wait until it is live.
 *
 * <p>Why wait instead of answering 503 at once: at the stop nobody knows yet whether the state will
 * move. A 503 would send clients away from the only node that may end up serving them; a wait of
 * one downtime (milliseconds) lets every request be answered by whichever node owns the state.
 */
final class ServeGate {
    /** What the service is doing. */
    enum State { SERVING, STOPPED, MOVED, INCOMING }

    /** The answer to a request that asked to enter. */
    sealed interface Admission permits Admitted, Redirect, Unavailable {}

    record Admitted() implements Admission {}

    /** The state moved to {@code to} (the destination's base URI, or null if nobody said where). */
    record Redirect(URI to) implements Admission {}

    record Unavailable(String why) implements Admission {}

    private static final Admitted ADMITTED = new Admitted();

    private final Object lock = new Object();
    private State state;
    private int inside; // requests using the table; guarded by lock
    private URI movedTo;

    ServeGate(State initial) {
        this.state = initial;
    }

    State state() {
        synchronized (lock) {
            return state;
        }
    }

    /** Waits up to {@code wait} while the service is stopped or not live yet. Admitted: call {@link #exit}. */
    Admission enter(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (lock) {
            while (state == State.STOPPED || state == State.INCOMING) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return new Unavailable(state == State.STOPPED ? "stopped for a migration for longer than " + wait
                            : "not live yet (waiting for its state)");
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            if (state == State.MOVED) {
                return new Redirect(movedTo);
            }
            inside++;
            return ADMITTED;
        }
    }

    void exit() {
        synchronized (lock) {
            if (--inside == 0) {
                lock.notifyAll();
            }
        }
    }

    /** The node stops: no new request enters, and this returns once the last one inside has left. */
    void stop() {
        synchronized (lock) {
            state = State.STOPPED;
            while (inside > 0) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for requests to finish", e);
                }
            }
        }
    }

    /** The service owns the table (again): serve. */
    void serve() {
        set(State.SERVING, null);
    }

    /** The state has moved for good: send every request to {@code to}. */
    void moved(URI to) {
        set(State.MOVED, to);
    }

    private void set(State s, URI to) {
        synchronized (lock) {
            state = s;
            movedTo = to;
            lock.notifyAll();
        }
    }
}

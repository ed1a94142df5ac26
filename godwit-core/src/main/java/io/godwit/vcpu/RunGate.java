package io.godwit.vcpu;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Stops and restarts the machine's workload threads at safe points, the way QEMU stops vCPUs.
 * Workers call {@link #checkpoint()} between steps; {@link #close()} returns only once every
 * worker is parked, so everything they wrote is visible to the caller.
 */
final class RunGate {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile boolean closed = true;
    private volatile int generation; // bumped at every open, so workers notice they were stopped
    private volatile boolean shutdown;
    private int workers;
    private int parked;

    void register() {
        lock.lock();
        try {
            workers++;
        } finally {
            lock.unlock();
        }
    }

    void deregister() {
        lock.lock();
        try {
            workers--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Parks the calling worker while the gate is closed. Returns false once the machine shuts down. */
    boolean checkpoint() {
        if (!closed) {
            return !shutdown;
        }
        lock.lock();
        try {
            parked++;
            changed.signalAll();
            while (closed && !shutdown) {
                changed.awaitUninterruptibly();
            }
            parked--;
            return !shutdown;
        } finally {
            lock.unlock();
        }
    }

    int generation() {
        return generation;
    }

    /** True when workers should stop at their next checkpoint (a pacing wait ends early). */
    boolean closing() {
        return closed;
    }

    /** Closes the gate and waits until every worker is parked. */
    void close() {
        lock.lock();
        try {
            closed = true;
            while (parked < workers) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    void open() {
        lock.lock();
        try {
            closed = false;
            generation++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void shutdown() {
        lock.lock();
        try {
            shutdown = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}

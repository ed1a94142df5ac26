package io.godwit.api;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Writer threads that store longs at random places of a region with plain segment stores, as a
 * service's own code would (reporting them only under explicit tracking), and the listener that
 * quiesces them: stopped() closes the gate and returns once no writer is inside; resumed() opens
 * it again.
 */
final class PlainWriters implements NodeListener, AutoCloseable {
    private final Region region;
    private final boolean marks;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong writes = new AtomicLong();
    private final Object gate = new Object();
    private boolean open = true; // guarded by gate
    private int inside; // guarded by gate
    private volatile boolean done;

    PlainWriters(Region region, int count, long seed) {
        this.region = region;
        this.marks = region.needsMarks();
        for (int i = 0; i < count; i++) {
            SplittableRandom r = new SplittableRandom(seed + i);
            threads.add(Thread.ofPlatform().daemon().name("plain-writer-" + i).start(() -> run(r)));
        }
    }

    private void run(SplittableRandom r) {
        MemorySegment seg = region.segment();
        long words = region.size() / 8;
        while (!done) {
            if (!enter()) {
                continue;
            }
            try {
                long off = r.nextLong(words) * 8;
                seg.set(ValueLayout.JAVA_LONG, off, r.nextLong());
                if (marks) {
                    region.markWritten(off, 8); // explicit tracking: the store is ours to report
                }
            } finally {
                exit();
            }
            writes.incrementAndGet();
            // Tens of thousands of stores a second: enough to dirty pages all through the
            // migration, not so many that pre-copy cannot converge on a loaded machine.
            LockSupport.parkNanos(20_000);
        }
    }

    private boolean enter() {
        synchronized (gate) {
            while (!open && !done) {
                try {
                    gate.wait();
                } catch (InterruptedException e) {
                    return false;
                }
            }
            if (done) {
                return false;
            }
            inside++;
            return true;
        }
    }

    private void exit() {
        synchronized (gate) {
            if (--inside == 0) {
                gate.notifyAll();
            }
        }
    }

    @Override
    public void stopped() {
        synchronized (gate) {
            open = false;
            while (inside > 0) {
                try {
                    gate.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while quiescing writers");
                }
            }
        }
    }

    @Override
    public void resumed() {
        synchronized (gate) {
            open = true;
            gate.notifyAll();
        }
    }

    long writes() {
        return writes.get();
    }

    /** Waits until the writers have made {@code n} more writes than now. */
    void awaitMoreWrites(long n) throws InterruptedException {
        long target = writes.get() + n;
        while (writes.get() < target) {
            Thread.sleep(1);
        }
    }

    @Override
    public void close() throws InterruptedException {
        done = true;
        synchronized (gate) {
            gate.notifyAll();
        }
        for (Thread t : threads) {
            t.join();
        }
    }
}

package io.godwit.cli;

import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationStatus;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * Prints the progress of a migration in this JVM once per interval, as a {@link ProgressLine},
 * and once for every pass it hears of ({@link #passCompleted}), so short passes show too. The
 * migration thread only hands the pass over; this thread prints.
 */
final class Progress implements AutoCloseable {
    private final Supplier<MigrationInfo> info;
    private final PrintStream out;
    private final ProgressLine line;
    private final Thread thread;
    private volatile boolean stop;
    private long lastTransferred = -1;
    private long lastNanos;
    private long shownPass;
    private final java.util.concurrent.atomic.AtomicLong heardPass = new java.util.concurrent.atomic.AtomicLong();

    Progress(Supplier<MigrationInfo> info, PrintStream out, long intervalMs) {
        this.info = info;
        this.out = out;
        this.line = new ProgressLine(out, ProgressLine.terminal());
        this.thread = Thread.ofPlatform().daemon().name("godwit-progress").start(() -> {
            while (!stop) {
                print();
                java.util.concurrent.locks.LockSupport.parkNanos(intervalMs * 1_000_000);
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
            }
        });
    }

    private synchronized void print() {
        if (stop) {
            return;
        }
        MigrationInfo i = info.get();
        long heard = heardPass.get();
        boolean newPass = heard > shownPass;
        // nothing to show before the first pass starts (setup)
        if (!i.status().isActive() || i.status() == MigrationStatus.SETUP || i.ram() == null
                || (!newPass && i.ram().transferred() == lastTransferred)) {
            return;
        }
        long now = System.nanoTime();
        long transferred = i.ram().transferred();
        double mbps = i.ram().mbps();
        double rate = mbps > 0 ? mbps * 1e6 / 8 : lastTransferred < 0 || now == lastNanos ? 0
                : Math.max(0, transferred - lastTransferred) / ((now - lastNanos) / 1e9);
        lastTransferred = transferred;
        lastNanos = now;
        // each pass heard of gets its line, however short it was; without passes heard, the counter
        long pass = newPass ? shownPass + 1 : Math.max(shownPass, i.ram().dirtySyncCount());
        shownPass = pass;
        line.print(pass, transferred, i.ram().remaining(), rate,
                i.ram().dirtyPagesRate() * (double) i.ram().pageSize(), i.expectedDowntimeMs());
        if (shownPass < heardPass.get()) {
            java.util.concurrent.locks.LockSupport.unpark(thread); // more passes to show: no wait
        }
    }

    /** A pass (dirty sync) ended: called on the migration thread; only records it and wakes the printer. */
    void passCompleted(long count) {
        heardPass.accumulateAndGet(count, Math::max);
        java.util.concurrent.locks.LockSupport.unpark(thread);
    }

    /** Stops printing without waiting (safe to call from a migration callback). */
    synchronized void stopQuietly() {
        stop = true;
        thread.interrupt();
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.interrupt();
        thread.join();
        synchronized (this) {
            line.end();
        }
    }
}

package io.godwit.cli;

import io.godwit.migration.MigrationInfo;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * Prints the progress of a migration in this JVM once per interval, as a {@link ProgressLine}.
 */
final class Progress implements AutoCloseable {
    private final Supplier<MigrationInfo> info;
    private final PrintStream out;
    private final ProgressLine line;
    private final Thread thread;
    private volatile boolean stop;
    private long lastTransferred = -1;
    private long lastNanos;

    Progress(Supplier<MigrationInfo> info, PrintStream out, long intervalMs) {
        this.info = info;
        this.out = out;
        this.line = new ProgressLine(out, ProgressLine.terminal());
        this.thread = Thread.ofPlatform().daemon().name("godwit-progress").start(() -> {
            while (!stop) {
                print();
                try {
                    Thread.sleep(intervalMs);
                } catch (InterruptedException e) {
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
        if (!i.status().isActive() || i.ram() == null || i.ram().transferred() == lastTransferred) {
            return;
        }
        long now = System.nanoTime();
        long transferred = i.ram().transferred();
        double rate = lastTransferred < 0 ? 0 : (transferred - lastTransferred) / ((now - lastNanos) / 1e9);
        lastTransferred = transferred;
        lastNanos = now;
        line.print(i.ram().dirtySyncCount(), transferred, i.ram().remaining(), rate,
                i.ram().dirtyPagesRate() * (double) i.ram().pageSize(), i.expectedDowntimeMs());
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

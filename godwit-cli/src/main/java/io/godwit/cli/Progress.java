package io.godwit.cli;

import io.godwit.migration.MigrationInfo;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * Prints one progress line per interval while a migration runs: pass, transferred, remaining,
 * throughput, dirty rate and expected downtime. Counters only move forward, and so does the line:
 * on a terminal it is rewritten in place, otherwise a new line is printed.
 */
final class Progress implements AutoCloseable {
    private final Supplier<MigrationInfo> info;
    private final PrintStream out;
    private final boolean tty;
    private final Thread thread;
    private volatile boolean stop;
    private long lastTransferred = -1;
    private long lastNanos;

    Progress(Supplier<MigrationInfo> info, PrintStream out, long intervalMs) {
        this.info = info;
        this.out = out;
        this.tty = System.console() != null && System.console().isTerminal();
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
        String line = String.format("pass %d | transferred %s | remaining %s | %s/s | dirty %s/s | expected downtime %s",
                i.ram().dirtySyncCount(), Sizes.format(transferred), Sizes.format(i.ram().remaining()),
                Sizes.format(rate), Sizes.format(i.ram().dirtyPagesRate() * (double) i.ram().pageSize()),
                i.expectedDowntimeMs() < 0 ? "-" : i.expectedDowntimeMs() + " ms");
        if (tty) {
            out.print("\r\033[K" + line);
        } else {
            out.println(line);
        }
        out.flush();
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
        if (tty && lastTransferred >= 0) {
            out.println();
        }
    }
}

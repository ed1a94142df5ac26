package io.godwit.migration;

import io.godwit.stream.ByteSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The destination's read timeout: a source that sends nothing for the timeout while the loader
 * waits for it (a silent partition, a hung source) has its connection shut, so the incoming
 * migration fails instead of staying active forever. Only time spent waiting in a read counts:
 * a loader busy with what it has (a slow device) is not the source's silence. Measured on the
 * wall clock, whatever clock the migration runs on.
 */
final class ReadWatchdog implements ByteSource {
    private static final long NOT_READING = Long.MIN_VALUE;

    private final ByteSource in;
    private final long timeoutMs;
    private final Runnable onTimeout;
    private volatile long readingSince = NOT_READING;
    private volatile boolean fired;
    private volatile boolean stopped;
    private Thread thread;

    /** @param onTimeout unblocks the read (shuts the connection); runs on the watchdog's thread */
    ReadWatchdog(ByteSource in, long timeoutMs, Runnable onTimeout) {
        this.in = in;
        this.timeoutMs = timeoutMs;
        this.onTimeout = onTimeout;
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("godwit-read-watchdog").start(this::watch);
    }

    void stop() {
        stopped = true;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /** Whether the timeout ended the migration. */
    boolean fired() {
        return fired;
    }

    String message() {
        return "no data from the source for " + timeoutMs + " ms (x-incoming-read-timeout)";
    }

    @Override
    public ByteBuffer next(ByteBuffer consumed) throws IOException {
        readingSince = System.nanoTime();
        try {
            return in.next(consumed);
        } finally {
            readingSince = NOT_READING;
        }
    }

    private void watch() {
        long timeout = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        long check = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(timeout / 8, TimeUnit.SECONDS.toNanos(1)));
        while (!stopped) {
            long since = readingSince;
            long now = System.nanoTime();
            if (since != NOT_READING && now - since >= timeout) {
                fired = true;
                onTimeout.run();
                return;
            }
            LockSupport.parkNanos(since == NOT_READING ? check : Math.min(check, since + timeout - now));
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    @Override
    public void shutdown() {
        in.shutdown();
    }
}

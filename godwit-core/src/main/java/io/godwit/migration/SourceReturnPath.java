package io.godwit.migration;

import io.godwit.clock.Clock;
import io.godwit.stream.ByteSource;
import io.godwit.stream.ReturnPathMessage;
import io.godwit.stream.ReturnPathReader;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The source's return-path thread (QEMU source_return_path_thread): reads what the destination
 * says and records it for the migration thread, waking it when something changes.
 */
final class SourceReturnPath {
    private static final long POLL_MS = 20;
    private final ReturnPathReader reader;
    private final Clock clock;
    private final Thread migrationThread;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final CountDownLatch ponged = new CountDownLatch(1);
    private volatile boolean switchoverAcked;
    private volatile int shutStatus = -1;
    private volatile long shutNanos;
    private volatile boolean shutSeen;
    private volatile IOException error;
    private Thread thread;

    SourceReturnPath(ByteSource source, Clock clock, Thread migrationThread) {
        this.reader = new ReturnPathReader(new StreamInput(source));
        this.clock = clock;
        this.migrationThread = migrationThread;
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("godwit-return-path").start(this::run);
    }

    private void run() {
        try {
            ReturnPathMessage m;
            while ((m = reader.next()) != null) {
                switch (m.type()) {
                    case SHUT -> {
                        shutNanos = clock.nanoTime();
                        shutStatus = m.intValue();
                        shutSeen = true;
                        return;
                    }
                    case PONG -> ponged.countDown();
                    case SWITCHOVER_ACK -> switchoverAcked = true;
                    default -> throw new IOException("return path: unexpected " + m.type()
                            + " (post-copy and recovery are not active)");
                }
                clock.wake(migrationThread);
            }
        } catch (IOException e) {
            error = e;
        } finally {
            finished.countDown();
            clock.wake(migrationThread);
        }
    }

    boolean switchoverAcked() {
        return switchoverAcked;
    }

    /** The status of a SHUT already received, or -1. */
    int shutSeenStatus() {
        return shutSeen ? shutStatus : -1;
    }

    /** A failure of the return path before SHUT, or null. */
    IOException error() {
        return shutSeen ? null : error;
    }

    boolean finished() {
        return finished.getCount() == 0;
    }

    /**
     * Waits for the destination's SHUT, at most {@code timeoutMs} of real time (0: no limit): a
     * peer's silence is measured on the wall clock even when the loop runs on virtual time.
     *
     * @return the SHUT status: 0 when the destination loaded everything and runs
     * @throws IOException if the return path ended without SHUT, the wait timed out or was abandoned
     */
    int awaitShut(java.util.function.BooleanSupplier abandon, long timeoutMs) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!finished.await(POLL_MS, TimeUnit.MILLISECONDS)) {
            if (abandon.getAsBoolean()) {
                throw new IOException("gave up waiting for the destination to confirm it runs");
            }
            if (timeoutMs > 0 && System.nanoTime() - deadline >= 0) {
                throw new IOException("the destination did not confirm it runs (SHUT) within " + timeoutMs
                        + " ms (x-return-path-timeout)");
            }
        }
        if (!shutSeen) {
            throw new IOException("return path closed before the destination confirmed it runs"
                    + (error != null ? ": " + error.getMessage() : ""), error);
        }
        return shutStatus;
    }

    /**
     * Waits for the destination's answer to a PING: it has accepted the channel and reads the
     * stream. Throws if the return path ends first.
     */
    void awaitPong(java.util.function.BooleanSupplier abandon) throws IOException, InterruptedException {
        while (!ponged.await(50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            if (finished() && ponged.getCount() > 0) {
                throw new IOException("the destination did not answer on the return path"
                        + (error != null ? ": " + error.getMessage() : ""), error);
            }
            if (abandon.getAsBoolean()) {
                throw new IOException("gave up waiting for the destination to answer");
            }
        }
    }

    long shutNanos() {
        return shutNanos;
    }

    void join() throws InterruptedException {
        if (thread != null) {
            thread.join(5_000);
        }
    }
}

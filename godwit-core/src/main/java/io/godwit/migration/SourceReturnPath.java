package io.godwit.migration;

import io.godwit.clock.Clock;
import io.godwit.stream.ByteSource;
import io.godwit.stream.PageRequest;
import io.godwit.stream.StreamConstants;
import io.godwit.stream.ReturnPathMessage;
import io.godwit.stream.ReturnPathReader;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;

/**
 * The source's return-path thread (QEMU source_return_path_thread): reads what the destination
 * says and records it for the migration thread, waking it when something changes.
 */
final class SourceReturnPath {
    private final ReturnPathReader reader;
    private final Clock clock;
    private final Thread migrationThread;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean switchoverAcked;
    private volatile int shutStatus = -1;
    private volatile long shutNanos;
    private volatile boolean shutSeen;
    private volatile IOException error;
    private volatile long packageLoadedNanos = -1;
    private volatile PageRequestSink pageRequests;
    private Thread thread;

    /** Where post-copy page requests go (the RAM handler's queue); checked there. */
    @FunctionalInterface
    interface PageRequestSink {
        void add(PageRequest request) throws IOException;
    }

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
                    case PONG -> {
                        if (m.intValue() == StreamConstants.PING_PACKAGED_LOADED) {
                            packageLoadedNanos = clock.nanoTime(); // the destination is about to run
                        }
                    }
                    case SWITCHOVER_ACK -> switchoverAcked = true;
                    case REQ_PAGES, REQ_PAGES_ID -> {
                        PageRequestSink sink = pageRequests;
                        if (sink == null) {
                            throw new IOException("return path: " + m.type() + " before post-copy started");
                        }
                        sink.add(PageRequest.of(m));
                    }
                    default -> throw new IOException("return path: unexpected " + m.type()
                            + " (recovery is not active)");
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

    /** From now on page requests go to {@code sink}; before, they fail the return path. */
    void acceptPageRequests(PageRequestSink sink) {
        pageRequests = sink;
    }

    /** When the PONG to the package's last PING came (the destination loaded the device state), or -1. */
    long packageLoadedNanos() {
        return packageLoadedNanos;
    }

    /** The SHUT status if SHUT came, else -1. */
    int shutStatus() {
        return shutSeen ? shutStatus : -1;
    }

    boolean switchoverAcked() {
        return switchoverAcked;
    }

    /** A failure of the return path before SHUT, or null. */
    IOException error() {
        return shutSeen ? null : error;
    }

    boolean finished() {
        return finished.getCount() == 0;
    }

    /**
     * Waits for the destination's SHUT.
     *
     * @return the SHUT status: 0 when the destination loaded everything and runs
     * @throws IOException if the return path ended without SHUT
     */
    int awaitShut(java.util.function.BooleanSupplier abandon) throws IOException, InterruptedException {
        while (!finished.await(50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            if (abandon.getAsBoolean()) {
                throw new IOException("gave up waiting for the destination to confirm it runs");
            }
        }
        if (!shutSeen) {
            throw new IOException("return path closed before the destination confirmed it runs"
                    + (error != null ? ": " + error.getMessage() : ""), error);
        }
        return shutStatus;
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

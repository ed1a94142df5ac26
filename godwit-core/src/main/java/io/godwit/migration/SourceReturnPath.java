package io.godwit.migration;

import io.godwit.clock.Clock;
import io.godwit.stream.ByteSource;
import io.godwit.stream.PageRequest;
import io.godwit.stream.StreamConstants;
import io.godwit.stream.StreamFormatException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;
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
    private volatile long packageLoadedNanos = -1;
    private volatile PageRequestSink pageRequests;
    /** Resuming: requests that came before the source took requests again, in order; guarded by this. */
    private final java.util.List<Early> early = new java.util.ArrayList<>();
    private volatile ToLongFunction<String> bitmapPages; // during a post-copy recovery: block -> pages
    private final Map<String, long[]> receivedBitmaps = new ConcurrentHashMap<>();
    private volatile boolean resumeAcked;
    private Thread thread;
    private volatile LinkProbe linkProbe;

    /** Where post-copy page requests go (the RAM handler's queue); checked there. */
    @FunctionalInterface
    interface PageRequestSink {
        void add(PageRequest request) throws IOException;
    }

    private final boolean resuming;

    SourceReturnPath(ByteSource source, Clock clock, Thread migrationThread) {
        this(source, clock, migrationThread, false);
    }

    /** @param resuming the return path of a post-copy resumed on a new connection: RESUME_ACK is expected */
    SourceReturnPath(ByteSource source, Clock clock, Thread migrationThread, boolean resuming) {
        this.reader = new ReturnPathReader(new StreamInput(source));
        this.clock = clock;
        this.migrationThread = migrationThread;
        this.resuming = resuming;
    }

    /** PONGs to the probe's PINGs go to {@code p}. */
    void linkProbe(LinkProbe p) {
        this.linkProbe = p;
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
                        LinkProbe probe = linkProbe;
                        if (probe != null && LinkProbe.owns(m.intValue())) {
                            probe.ponged(m.intValue()); // the pre-copy link probe
                        } else if (m.intValue() == StreamConstants.PING_PACKAGED_LOADED) {
                            packageLoadedNanos = clock.nanoTime(); // the destination is about to run
                        } else {
                            ponged.countDown(); // the channel check at setup
                        }
                    }
                    case SWITCHOVER_ACK -> switchoverAcked = true;
                    case REQ_PAGES, REQ_PAGES_ID -> pageRequest(m);
                    case RECV_BITMAP -> receivedBitmap(m);
                    case RESUME_ACK -> resumeAck(m);
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

    /** The most requests a resumed destination may send before POSTCOPY_RESUME; they are kept till then. */
    static final int MAX_EARLY_REQUESTS = 4096;

    private record Early(PageRequest request, long at) {}

    private void pageRequest(ReturnPathMessage m) throws IOException {
        PageRequestSink sink;
        synchronized (this) {
            sink = pageRequests;
            if (sink == null) {
                if (!resuming) {
                    throw new IOException("return path: " + m.type() + " before post-copy started");
                }
                // a resumed destination asks at once for what its accesses miss, before the handshake ends
                if (early.size() >= MAX_EARLY_REQUESTS) {
                    throw new StreamFormatException("return path: more than " + MAX_EARLY_REQUESTS
                            + " page requests before POSTCOPY_RESUME", reader.position());
                }
                early.add(new Early(PageRequest.of(m), reader.position()));
                return;
            }
        }
        add(sink, PageRequest.of(m), reader.position());
    }

    private static void add(PageRequestSink sink, PageRequest r, long at) throws IOException {
        try {
            sink.add(r);
        } catch (IOException e) { // a request we refuse is the destination's error, not the link's
            throw new StreamFormatException("return path: " + e.getMessage(), at);
        }
    }

    private void receivedBitmap(ReturnPathMessage m) throws IOException {
        ToLongFunction<String> pages = bitmapPages;
        String block = m.recvBitmapBlock();
        long n = pages == null ? -1 : pages.applyAsLong(block);
        if (n < 0) {
            throw new StreamFormatException("return path: RECV_BITMAP for '" + block + "'; expected one of the blocks "
                    + "asked for while resuming post-copy", reader.position());
        }
        receivedBitmaps.put(block, reader.readReceivedBitmap(block, n));
    }

    private void resumeAck(ReturnPathMessage m) throws IOException {
        if (!resuming || m.intValue() != StreamConstants.RESUME_ACK_VALUE) {
            throw new StreamFormatException("return path: RESUME_ACK " + m.intValue() + "; expected "
                    + StreamConstants.RESUME_ACK_VALUE + " while resuming post-copy", reader.position());
        }
        resumeAcked = true;
    }

    /** Resuming post-copy: RECV_BITMAP answers for these blocks (name to page count, -1 if unknown) are taken. */
    void expectBitmaps(ToLongFunction<String> pages) {
        bitmapPages = pages;
    }

    /** The received bitmap the destination sent for {@code block}, or null. */
    long[] receivedBitmap(String block) {
        return receivedBitmaps.get(block);
    }

    boolean resumeAcked() {
        return resumeAcked;
    }

    /**
     * From now on page requests go to {@code sink}. Before, they fail the return path, except on a
     * resumed connection, where those that came early go to the sink now, in their order.
     */
    synchronized void acceptPageRequests(PageRequestSink sink) throws IOException {
        for (Early e : early) {
            add(sink, e.request(), e.at());
        }
        early.clear();
        pageRequests = sink;
    }

    /** When the PONG to the package's last PING came (the destination loaded the device state), or -1. */
    long packageLoadedNanos() {
        return packageLoadedNanos;
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

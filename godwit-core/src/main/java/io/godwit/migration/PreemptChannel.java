package io.godwit.migration;

import io.godwit.ram.RamHandler;
import io.godwit.stream.StreamInput;
import io.godwit.transport.Connection;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The destination's postcopy-preempt channel (QEMU postcopy_preempt_new_channel and the
 * postcopy/preempt thread): a second connection from the source that carries only requested pages,
 * so they do not queue behind the background pages of the main stream. A thread of its own loads
 * its page records into RAM, releasing the accesses that wait for them, until the source's EOS or
 * until the destination gives the channel up at the end of post-copy (QEMU 8+ sends no EOS).
 */
final class PreemptChannel {
    /** How long POSTCOPY_LISTEN waits for the source's second connection. */
    static final long CONNECT_WAIT_MS = 30_000;
    /** How long the end of the main stream waits for requested pages still on the preempt channel. */
    static final long DRAIN_MS = 30_000;

    private final CompletableFuture<Connection> connection = new CompletableFuture<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile Thread thread;
    private volatile Throwable failure;
    private volatile boolean retired; // given up at a pause: its failure no longer counts

    /** The listener accepted the channel (or could not: {@code failed}). */
    void offer(Connection c) {
        if (!connection.complete(c)) {
            closeQuietly(c);
        }
    }

    void failed(String why) {
        connection.completeExceptionally(new IOException(why));
    }

    /**
     * At POSTCOPY_LISTEN: waits for the connection, then loads its pages on a thread.
     *
     * @param onFailure runs on that thread when the channel breaks or sends something refused
     */
    void start(RamHandler ram, Runnable onFailure) throws IOException, InterruptedException {
        Connection c;
        try {
            c = connection.get(CONNECT_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("postcopy-preempt: the source opened no preempt channel within "
                    + CONNECT_WAIT_MS + " ms; is the capability on at the source too?");
        } catch (ExecutionException e) {
            throw new IOException("postcopy-preempt: " + e.getCause().getMessage(), e.getCause());
        }
        if (c == null) {
            throw new IOException("postcopy-preempt: the preempt channel was given up before it opened");
        }
        thread = Thread.ofPlatform().name("godwit-postcopy-preempt").start(() -> {
            try {
                ram.loadPreempt(new StreamInput(c.input()));
            } catch (Throwable t) {
                failure = t;
                if (!retired) { // not our own shutdown at a pause or the end
                    onFailure.run();
                }
            } finally {
                closeQuietly(c);
                done.countDown();
            }
        });
    }

    /** True while the loading thread runs (started and not at EOS or a failure yet). */
    boolean running() {
        return thread != null && done.getCount() > 0;
    }

    /** Waits for the thread to reach EOS or fail; at once when it never started. */
    void await() throws InterruptedException {
        if (thread != null) {
            done.await();
        }
    }

    /** Why the thread ended before EOS; null when it did not, or the channel was given up. */
    /** Waits up to {@code ms} for the thread to end. */
    void await(long ms) throws InterruptedException {
        done.await(ms, TimeUnit.MILLISECONDS);
    }

    Throwable failure() {
        return retired ? null : failure;
    }

    /** Gives the channel up: a connection still to come is closed, a running one shut down. */
    void close() {
        retired = true;
        if (!connection.complete(null) && !connection.isCompletedExceptionally()) {
            Connection c = connection.getNow(null);
            if (c != null) {
                c.shutdown();
            }
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // given up either way
        }
    }
}

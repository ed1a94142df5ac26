package io.godwit.qmp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * The messages waiting to be written to one QMP client, and the one thread that writes them.
 * Replies (from the client's reader thread) and events (from any thread, the migration thread
 * among them) are only queued here, which never blocks; the blocking writes happen on the
 * writer thread. A client that leaves more than {@link #MAX_QUEUED_BYTES} or
 * {@link #MAX_QUEUED_MESSAGES} unread is not reading: {@link #offer} refuses, and the owner
 * disconnects it rather than buffer more or wait.
 */
final class OutboundQueue {
    /** Unwritten bytes one client may have, counting the message being written. */
    static final long MAX_QUEUED_BYTES = 4L << 20;
    /** Unwritten messages one client may have: bounds the per-message overhead too. */
    static final int MAX_QUEUED_MESSAGES = 8192;
    /** What offer returns for a message it did not queue. */
    static final long REFUSED = -1;

    private final WritableByteChannel channel;
    private final Runnable onWriteFailure;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>(); // all fields guarded by this
    private long queuedBytes;
    private long offered;
    private long written;
    private boolean closed;

    /** @param onWriteFailure run on the writer thread when a write fails (the client went away) */
    OutboundQueue(WritableByteChannel channel, Runnable onWriteFailure) {
        this.channel = channel;
        this.onWriteFailure = onWriteFailure;
    }

    void start(String threadName) {
        Thread.ofVirtual().name(threadName).start(this::drain);
    }

    /**
     * Queues {@code message} and returns its sequence number (from 1), or {@link #REFUSED} when
     * closed or when it would go past the bound. A single message larger than the bound is
     * queued if nothing else is waiting, so a large reply reaches a client that reads.
     */
    synchronized long offer(byte[] message) {
        if (closed) {
            return REFUSED;
        }
        boolean overBound = queuedBytes > 0 && queuedBytes + message.length > MAX_QUEUED_BYTES
                || offered - written >= MAX_QUEUED_MESSAGES;
        if (overBound) {
            return REFUSED;
        }
        queue.add(message);
        queuedBytes += message.length;
        notifyAll();
        return ++offered;
    }

    /** Unwritten bytes, the message being written included. */
    synchronized long queuedBytes() {
        return queuedBytes;
    }

    /** Waits until message {@code sequence} is written, the queue is closed, or {@code timeout} passes. */
    synchronized void awaitWritten(long sequence, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (written < sequence && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Drops what is queued and stops the writer once its current write ends. */
    synchronized void close() {
        closed = true;
        queue.clear();
        notifyAll();
    }

    private void drain() {
        try {
            byte[] m;
            while ((m = take()) != null) {
                ByteBuffer b = ByteBuffer.wrap(m);
                while (b.hasRemaining()) {
                    channel.write(b);
                }
                written(m.length);
            }
        } catch (IOException e) {
            close();
            onWriteFailure.run();
        } catch (InterruptedException e) {
            close();
        }
    }

    private synchronized byte[] take() throws InterruptedException {
        while (queue.isEmpty() && !closed) {
            wait();
        }
        return closed ? null : queue.poll();
    }

    private synchronized void written(int bytes) {
        queuedBytes -= bytes;
        written++;
        notifyAll();
    }
}

package io.godwit.migration;

import io.godwit.stream.ByteSource;
import io.godwit.stream.ReturnPathMessage;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * A return path the test feeds by hand: {@link #next} blocks until the test releases a message
 * (or the link closes), so the source's return-path thread sees exactly what the test says and
 * when. Every wait is bounded, so a broken test fails instead of hanging.
 */
public final class ScriptedReturnPath implements ByteSource {
    private static final long WAIT_MILLIS = 20_000;

    private ByteBuffer ready;
    private int released;
    private int requests;
    private boolean closed;

    /** Hands one message to the reader; returns its 1-based sequence number. */
    public synchronized int release(ReturnPathMessage m) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 + m.data().length);
        b.putShort((short) m.type().code).putShort((short) m.data().length).put(m.data()).flip();
        if (ready != null) {
            throw new IllegalStateException("the previous message was not read yet");
        }
        ready = b;
        released++;
        notifyAll();
        return released;
    }

    /**
     * Waits until the reader has consumed message {@code seq} whole and asked for the next one,
     * which it does only after acting on the message.
     */
    public synchronized void awaitConsumed(int seq) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (requests < seq + 1) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new AssertionError("the return-path reader did not consume message " + seq);
            }
            wait(left);
        }
    }

    /** Waits until the reader has taken the last released message (for one it does not answer, SHUT). */
    public synchronized void awaitTaken() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (ready != null) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new AssertionError("the return-path reader did not take the message");
            }
            wait(left);
        }
    }

    @Override
    public synchronized ByteBuffer next(ByteBuffer consumed) throws IOException {
        requests++;
        notifyAll();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        try {
            while (ready == null && !closed) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new IOException("scripted return path: nothing released within " + WAIT_MILLIS + " ms");
                }
                wait(left);
            }
        } catch (InterruptedException e) {
            throw new InterruptedIOException("scripted return path interrupted");
        }
        if (ready == null) {
            return null;
        }
        ByteBuffer b = ready;
        ready = null;
        notifyAll();
        return b;
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}

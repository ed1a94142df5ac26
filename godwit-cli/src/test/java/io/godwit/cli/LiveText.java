package io.godwit.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Text that another thread writes, which a test can wait on as it arrives. */
final class LiveText extends OutputStream {
    private final ByteArrayOutputStream text = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
        text.write(b);
        notifyAll();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        text.write(b, off, len);
        notifyAll();
    }

    /** Waits until the text contains {@code s}; false if {@code timeout} passes first. */
    synchronized boolean await(String s, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!text.toString(StandardCharsets.UTF_8).contains(s)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}

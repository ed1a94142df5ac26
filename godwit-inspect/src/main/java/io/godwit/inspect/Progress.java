package io.godwit.inspect;

import java.util.function.LongConsumer;

/**
 * Tells a listener how far reading has got, cheaply enough to call per record: the clock is read
 * every 1024 calls and the listener hears at most four times a second.
 */
public final class Progress {
    public static final Progress NONE = new Progress(null);
    private static final long INTERVAL_NANOS = 250_000_000L;

    private final LongConsumer listener;
    private int calls;
    private long next;

    /** {@code listener} receives the byte offset reached; null for none. */
    public Progress(LongConsumer listener) {
        this.listener = listener;
        this.next = System.nanoTime() + INTERVAL_NANOS;
    }

    void at(long offset) {
        if (listener == null || (++calls & 1023) != 0) {
            return;
        }
        long now = System.nanoTime();
        if (now - next >= 0) {
            next = now + INTERVAL_NANOS;
            listener.accept(offset);
        }
    }
}

package io.godwit.stream;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Where a {@link StreamInput} gets its bytes, one buffer at a time (see {@link ByteSink}). */
public interface ByteSource extends Closeable {
    /**
     * Hands back a fully read buffer ({@code null} on the first call) and returns the next one,
     * with at least one unread byte between position and limit, or {@code null} at end of stream.
     */
    ByteBuffer next(ByteBuffer consumed) throws IOException;

    /** Unblocks a reader blocked in {@link #next} from another thread; later reads fail. */
    default void shutdown() {
        try {
            close();
        } catch (IOException ignored) {
            // shutting down: nothing to report to
        }
    }
}

package io.godwit.stream;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where a {@link StreamOutput} sends its bytes, one buffer at a time. Buffers change hands instead
 * of being copied, so an in-memory transport passes them to the reader as they are.
 */
public interface ByteSink extends Closeable {
    /**
     * Takes a filled buffer (flipped: the bytes lie between position and limit; {@code null} on
     * the first call) and returns an empty, cleared direct buffer to fill next. The sink owns
     * {@code filled} from now on; it may hand the same buffer back once its bytes are out.
     */
    ByteBuffer swap(ByteBuffer filled) throws IOException;

    /** Unblocks a writer blocked in {@link #swap} from another thread; later swaps fail. */
    default void shutdown() {
        try {
            close();
        } catch (IOException ignored) {
            // shutting down: nothing to report to
        }
    }
}

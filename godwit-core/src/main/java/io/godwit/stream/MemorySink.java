package io.godwit.stream;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** Collects what a {@link StreamOutput} writes in memory (the post-copy package), up to a limit. */
public final class MemorySink implements ByteSink {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final long limit;
    private ByteBuffer buffer;

    /** @param limit bytes beyond which writing fails */
    public MemorySink(long limit) {
        this.limit = limit;
    }

    @Override
    public ByteBuffer swap(ByteBuffer filled) throws java.io.IOException {
        if (filled == null) {
            buffer = ByteBuffer.allocateDirect(64 << 10);
            return buffer;
        }
        if (bytes.size() + (long) filled.remaining() > limit) {
            throw new java.io.IOException("more than " + limit + " bytes written to memory");
        }
        byte[] b = new byte[filled.remaining()];
        filled.get(b);
        bytes.writeBytes(b);
        return filled.clear();
    }

    /** What was written and flushed so far. */
    public byte[] toByteArray() {
        return bytes.toByteArray();
    }

    @Override
    public void close() {}
}

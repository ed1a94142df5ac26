package io.godwit.stream;

import java.nio.ByteBuffer;

/** Feeds a {@link StreamInput} from bytes already in memory (a post-copy package). */
public final class ByteArraySource implements ByteSource {
    private ByteBuffer remaining;

    public ByteArraySource(byte[] bytes) {
        this.remaining = bytes.length == 0 ? null : ByteBuffer.wrap(bytes);
    }

    @Override
    public ByteBuffer next(ByteBuffer consumed) {
        ByteBuffer b = remaining;
        remaining = null;
        return b;
    }

    @Override
    public void close() {
        remaining = null;
    }
}

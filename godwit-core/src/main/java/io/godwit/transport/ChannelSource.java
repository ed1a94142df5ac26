package io.godwit.transport;

import io.godwit.stream.ByteSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/** A {@link ByteSource} over a blocking NIO channel (socket, file, pipe). */
public final class ChannelSource implements ByteSource {
    private final ReadableByteChannel channel;
    private final ByteBuffer buffer;
    private final String what;

    public ChannelSource(ReadableByteChannel channel, int bufferSize, String what) {
        this.channel = channel;
        this.buffer = ByteBuffer.allocateDirect(bufferSize);
        this.what = what;
    }

    @Override
    public ByteBuffer next(ByteBuffer consumed) throws IOException {
        buffer.clear();
        int n;
        try {
            do {
                n = channel.read(buffer);
            } while (n == 0);
        } catch (IOException e) {
            throw new IOException(what + ": read failed: " + e.getMessage(), e);
        }
        return n < 0 ? null : buffer.flip();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

package io.godwit.transport;

import io.godwit.stream.ByteSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/** A {@link ByteSink} over a blocking NIO channel (socket, file, pipe). */
public final class ChannelSink implements ByteSink {
    private final WritableByteChannel channel;
    private final ByteBuffer buffer;
    private final String what;

    public ChannelSink(WritableByteChannel channel, int bufferSize, String what) {
        this.channel = channel;
        this.buffer = ByteBuffer.allocateDirect(bufferSize);
        this.what = what;
    }

    @Override
    public ByteBuffer swap(ByteBuffer filled) throws IOException {
        if (filled != null) {
            try {
                while (filled.hasRemaining()) {
                    channel.write(filled);
                }
            } catch (IOException e) {
                throw new IOException(what + ": write failed: " + e.getMessage(), e);
            }
        }
        return buffer.clear();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

package io.godwit.transport;

import io.godwit.stream.ByteSink;
import io.godwit.stream.ByteSource;

/** Two {@link MemoryPipe}s joined into a bidirectional channel between two machines in one JVM. */
public final class MemoryChannel {
    private final Connection sourceEnd;
    private final Connection destinationEnd;

    public MemoryChannel() {
        MemoryPipe forward = new MemoryPipe();
        MemoryPipe back = new MemoryPipe(64 << 10, 4);
        sourceEnd = new End("memory:source", forward.sink(), back.source(), forward, back);
        destinationEnd = new End("memory:destination", back.sink(), forward.source(), forward, back);
    }

    /** The end the migration source writes the stream to. */
    public Connection sourceEnd() {
        return sourceEnd;
    }

    /** The end the destination reads the stream from. */
    public Connection destinationEnd() {
        return destinationEnd;
    }

    private record End(String uri, ByteSink output, ByteSource input, MemoryPipe a, MemoryPipe b)
            implements Connection {
        @Override
        public void shutdown() {
            a.shutdown();
            b.shutdown();
        }

        /** Ends this side: the peer reads to the end of what was sent, then sees end of stream. */
        @Override
        public void close() throws java.io.IOException {
            output.close();
            input.close();
        }
    }
}

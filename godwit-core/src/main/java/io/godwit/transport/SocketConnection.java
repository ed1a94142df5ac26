package io.godwit.transport;

import io.godwit.stream.ByteSink;
import io.godwit.stream.ByteSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A migration over a TCP or unix-domain stream socket; the return path runs back over it. */
final class SocketConnection implements Connection {
    static final int BUFFER = 1 << 20;

    private final SocketChannel channel;
    private final String uri;
    private final ChannelSink out;
    private final ChannelSource in;
    private ByteBuffer unread; // bytes read before the connection was handed over; reader thread only

    SocketConnection(SocketChannel channel, String uri) {
        this(channel, uri, null);
    }

    /** @param unread what was read already (a listener checked the stream header), read first */
    SocketConnection(SocketChannel channel, String uri, ByteBuffer unread) {
        this.channel = channel;
        this.uri = uri;
        this.out = new ChannelSink(channel, BUFFER, uri);
        this.in = new ChannelSource(channel, BUFFER, uri);
        this.unread = unread != null && unread.hasRemaining() ? unread : null;
    }

    /** The socket itself, for tests of its options. */
    SocketChannel channel() {
        return channel;
    }

    @Override
    public SocketChannel socket() {
        return channel;
    }

    @Override
    public ByteSink output() {
        return new ByteSink() {
            @Override
            public java.nio.ByteBuffer swap(java.nio.ByteBuffer filled) throws IOException {
                return out.swap(filled);
            }

            /** Ends our direction only: the peer still answers on the return path. */
            @Override
            public void close() throws IOException {
                if (channel.isOpen()) {
                    channel.shutdownOutput();
                }
            }

            @Override
            public void shutdown() {
                SocketConnection.this.shutdown();
            }
        };
    }

    @Override
    public ByteSource input() {
        return new ByteSource() {
            @Override
            public ByteBuffer next(ByteBuffer consumed) throws IOException {
                ByteBuffer first = unread;
                if (first != null) {
                    unread = null;
                    return first;
                }
                return in.next(consumed);
            }

            @Override
            public void close() throws IOException {
                if (channel.isOpen()) {
                    channel.shutdownInput();
                }
            }

            @Override
            public void shutdown() {
                SocketConnection.this.shutdown();
            }
        };
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public void shutdown() {
        try {
            channel.close(); // wakes any thread blocked in a read or write on it
        } catch (IOException ignored) {
            // closing is all we can do
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

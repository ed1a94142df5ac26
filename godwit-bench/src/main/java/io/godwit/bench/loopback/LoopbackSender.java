package io.godwit.bench.loopback;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The sending peer: opens the connections, each announcing its index, and writes each
 * connection's share of the memory in {@code chunk}-sized writes from a ByteBuffer view of it
 * (the kernel copies from the mapped pages; nothing is copied in Java).
 */
final class LoopbackSender {
    private final MemorySegment mem;
    private final int connections;
    private final InetSocketAddress receiver;

    LoopbackSender(MemorySegment mem, int connections, InetSocketAddress receiver) {
        this.mem = mem;
        this.connections = connections;
        this.receiver = receiver;
    }

    /** Opens the connections, in index order, each sending its index first. */
    SocketChannel[] connect() throws IOException {
        SocketChannel[] channels = new SocketChannel[connections];
        try {
            for (int i = 0; i < connections; i++) {
                channels[i] = SocketChannel.open(receiver);
                ByteBuffer index = ByteBuffer.allocate(4).putInt(0, i);
                while (index.hasRemaining()) {
                    channels[i].write(index);
                }
            }
        } catch (IOException e) {
            LoopbackWorkers.closeAll(channels);
            throw e;
        }
        return channels;
    }

    /** Starts one thread per connection, each writing its share of the first {@code bytes}, then closing. */
    LoopbackWorkers start(SocketChannel[] channels, long bytes, int chunk) {
        return LoopbackWorkers.start("send", connections, i -> {
            try (SocketChannel ch = channels[i]) {
                write(ch, LoopbackMemory.shareStart(bytes, connections, i),
                        LoopbackMemory.shareStart(bytes, connections, i + 1), chunk);
            }
        });
    }

    private void write(SocketChannel ch, long from, long to, int chunk) throws IOException {
        for (long off = from; off < to; off += LoopbackMemory.WINDOW) {
            ByteBuffer window = mem.asSlice(off, Math.min(LoopbackMemory.WINDOW, to - off)).asByteBuffer();
            while (window.hasRemaining()) {
                window.limit(Math.min(window.capacity(), window.position() + chunk));
                while (window.hasRemaining()) {
                    ch.write(window);
                }
                window.limit(window.capacity());
            }
        }
    }
}

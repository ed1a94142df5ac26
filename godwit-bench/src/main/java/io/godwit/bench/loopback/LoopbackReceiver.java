package io.godwit.bench.loopback;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The receiving peer: accepts the sender's connections, each of which opens with its index, and
 * reads each connection's share straight into its slice of the memory through a ByteBuffer view
 * (the kernel copies into the mapped pages; nothing is copied in Java).
 */
final class LoopbackReceiver {
    private static final int ACCEPT_TIMEOUT_MS = 60_000;

    private final MemorySegment mem;
    private final int connections;
    private final ServerSocketChannel server;

    LoopbackReceiver(MemorySegment mem, int connections, ServerSocketChannel server) {
        this.mem = mem;
        this.connections = connections;
        this.server = server;
    }

    /**
     * Zeroes the first {@code bytes} (so a byte that does not arrive cannot pass as one left over
     * from an earlier run), then accepts all the connections; the returned array is by index.
     */
    SocketChannel[] prepare(long bytes) throws IOException {
        mem.asSlice(0, bytes).fill((byte) 0);
        SocketChannel[] byIndex = new SocketChannel[connections];
        server.socket().setSoTimeout(ACCEPT_TIMEOUT_MS);
        try {
            for (int accepted = 0; accepted < connections; accepted++) {
                SocketChannel ch = server.socket().accept().getChannel();
                int index = readIndex(ch);
                if (index < 0 || index >= connections || byIndex[index] != null) {
                    ch.close();
                    throw new IOException("a connection announced index " + index + ", expected an unused one of 0 to "
                            + (connections - 1));
                }
                byIndex[index] = ch;
            }
        } catch (SocketTimeoutException e) {
            LoopbackWorkers.closeAll(byIndex);
            throw new IOException("the sender did not open " + connections + " connections within "
                    + ACCEPT_TIMEOUT_MS + " ms");
        } catch (IOException e) {
            LoopbackWorkers.closeAll(byIndex);
            throw e;
        }
        return byIndex;
    }

    private static int readIndex(SocketChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("a connection closed before its index (" + b.position() + " of 4 bytes)");
            }
        }
        return b.getInt(0);
    }

    /**
     * Starts one thread per connection, each reading its share of the first {@code bytes}, at most
     * {@code readMax} bytes a call.
     */
    LoopbackWorkers start(SocketChannel[] channels, long bytes, int readMax) {
        return LoopbackWorkers.start("receive", connections, i -> {
            try (SocketChannel ch = channels[i]) {
                read(ch, LoopbackMemory.shareStart(bytes, connections, i),
                        LoopbackMemory.shareStart(bytes, connections, i + 1), readMax);
            }
        });
    }

    private void read(SocketChannel ch, long from, long to, int readMax) throws IOException {
        for (long off = from; off < to; off += LoopbackMemory.WINDOW) {
            ByteBuffer window = mem.asSlice(off, Math.min(LoopbackMemory.WINDOW, to - off)).asByteBuffer();
            while (window.hasRemaining()) {
                window.limit((int) Math.min(window.capacity(), (long) window.position() + readMax));
                int n = ch.read(window);
                window.limit(window.capacity());
                if (n < 0) {
                    throw new EOFException("the sender closed a connection at byte " + (off + window.position())
                            + ", expected its share to end at " + to);
                }
            }
        }
    }
}

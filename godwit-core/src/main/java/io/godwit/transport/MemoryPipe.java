package io.godwit.transport;

import io.godwit.stream.ByteSink;
import io.godwit.stream.ByteSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A one-way in-memory byte pipe between two threads. Filled buffers pass to the reader and come
 * back empty, so bytes are copied once into the pipe and once out of it, never in between. A
 * bounded pool gives back-pressure: a writer ahead of its reader waits for a free buffer.
 */
public final class MemoryPipe {
    public static final int DEFAULT_BUFFER_SIZE = 1 << 20;
    public static final int DEFAULT_BUFFERS = 8;

    private static final ByteBuffer END = ByteBuffer.allocateDirect(0);
    private static final long POLL_MS = 20;

    private final BlockingQueue<ByteBuffer> filled;
    private final BlockingQueue<ByteBuffer> free;
    private final int bufferSize;
    private int allocated; // writer thread only
    private final int maxBuffers;
    private volatile boolean writerClosed;
    private volatile boolean readerClosed;
    private volatile boolean shutdown;

    public MemoryPipe() {
        this(DEFAULT_BUFFER_SIZE, DEFAULT_BUFFERS);
    }

    public MemoryPipe(int bufferSize, int buffers) {
        this.bufferSize = bufferSize;
        this.maxBuffers = buffers;
        this.filled = new ArrayBlockingQueue<>(buffers + 1);
        this.free = new ArrayBlockingQueue<>(buffers);
    }

    private final ByteSink sink = new ByteSink() {
        @Override
        public ByteBuffer swap(ByteBuffer full) throws IOException {
            check();
            if (full != null && full.hasRemaining()) {
                put(full);
            } else if (full != null) {
                free.offer(full.clear());
            }
            ByteBuffer next = free.poll();
            if (next == null && allocated < maxBuffers) {
                allocated++;
                return ByteBuffer.allocateDirect(bufferSize);
            }
            while (next == null) {
                check();
                next = poll(free);
            }
            return next.clear();
        }

        @Override
        public void close() {
            if (!writerClosed) {
                writerClosed = true;
                filled.offer(END);
            }
        }

        @Override
        public void shutdown() {
            MemoryPipe.this.shutdown();
        }
    };

    private final ByteSource source = new ByteSource() {
        @Override
        public ByteBuffer next(ByteBuffer consumed) throws IOException {
            if (consumed != null) {
                free.offer(consumed.clear());
            }
            while (true) {
                if (readerClosed) {
                    throw new IOException("in-memory channel: read after close");
                }
                // as with a socket, what was written before a shutdown still arrives
                ByteBuffer b = shutdown ? filled.poll() : poll(filled);
                if (b == null && shutdown) {
                    throw new IOException("in-memory channel shut down");
                }
                if (b == END) {
                    filled.offer(END); // stay at the end for later calls
                    return null;
                }
                if (b != null) {
                    return b;
                }
            }
        }

        @Override
        public void close() {
            readerClosed = true;
        }

        @Override
        public void shutdown() {
            MemoryPipe.this.shutdown();
        }
    };

    private void put(ByteBuffer b) throws IOException {
        try {
            while (!filled.offer(b, POLL_MS, TimeUnit.MILLISECONDS)) {
                check();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing to the in-memory channel", e);
        }
    }

    private ByteBuffer poll(BlockingQueue<ByteBuffer> q) throws IOException {
        try {
            return q.poll(POLL_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting on the in-memory channel", e);
        }
    }

    private void check() throws IOException {
        if (shutdown) {
            throw new IOException("in-memory channel shut down");
        }
        if (readerClosed) {
            throw new IOException("in-memory channel: the reader has gone (broken pipe)");
        }
        if (writerClosed) {
            throw new IOException("in-memory channel: write after close");
        }
    }

    public void shutdown() {
        shutdown = true;
    }

    public ByteSink sink() {
        return sink;
    }

    public ByteSource source() {
        return source;
    }
}

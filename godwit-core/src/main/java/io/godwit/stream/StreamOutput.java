package io.godwit.stream;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Buffered big-endian writer of a migration stream (QEMU's QEMUFile, writing side). Owned by one
 * thread. Counts every byte written, which is what bandwidth, rate limit and stats are made of.
 */
public final class StreamOutput implements Closeable {
    private ByteSink sink;
    private ByteBuffer buf;
    private MemorySegment view; // buf as a segment, for bulk copies from RAM
    private long handedOff; // bytes already given to the sink
    private boolean closed;

    public StreamOutput(ByteSink sink) throws IOException {
        this.sink = sink;
        take(sink.swap(null));
    }

    private void take(ByteBuffer next) {
        if (next == null || !next.isDirect() || next.remaining() < 16) {
            throw new IllegalStateException("sink returned an unusable buffer: " + next);
        }
        buf = next;
        view = MemorySegment.ofBuffer(next.duplicate().clear());
    }

    /** Total bytes written so far, buffered or not. */
    public long bytesWritten() {
        return handedOff + buf.position();
    }

    private void room(int n) throws IOException {
        if (buf.remaining() < n) {
            handOff();
        }
    }

    private void handOff() throws IOException {
        if (closed) {
            throw new IOException("stream output is closed");
        }
        int n = buf.position();
        buf.flip();
        ByteBuffer next = sink.swap(buf);
        handedOff += n;
        take(next);
    }

    public void put8(int v) throws IOException {
        room(1);
        buf.put((byte) v);
    }

    public void putBe16(int v) throws IOException {
        room(2);
        buf.putShort((short) v);
    }

    public void putBe32(int v) throws IOException {
        room(4);
        buf.putInt(v);
    }

    public void putBe64(long v) throws IOException {
        room(8);
        buf.putLong(v);
    }

    public void putBytes(byte[] src) throws IOException {
        putBytes(src, 0, src.length);
    }

    public void putBytes(byte[] src, int off, int len) throws IOException {
        while (len > 0) {
            room(1);
            int n = Math.min(len, buf.remaining());
            buf.put(src, off, n);
            off += n;
            len -= n;
        }
    }

    /** Copies {@code len} bytes of {@code src} from {@code off} straight into the stream. */
    public void putSegment(MemorySegment src, long off, long len) throws IOException {
        while (len > 0) {
            room(1);
            int n = (int) Math.min(len, buf.remaining());
            int pos = buf.position();
            MemorySegment.copy(src, off, view, pos, n);
            buf.position(pos + n);
            off += n;
            len -= n;
        }
    }

    /** A u8 length then the bytes: how QEMU sends idstrs and RAM block names. */
    public void putString8(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > StreamConstants.MAX_IDSTR_LENGTH) {
            throw new IllegalArgumentException("name longer than 255 bytes: " + s);
        }
        put8(b.length);
        putBytes(b);
    }

    /** Hands buffered bytes to the sink now, for example before waiting for the peer. */
    public void flush() throws IOException {
        if (buf.position() > 0) {
            handOff();
        }
    }

    /**
     * Goes on writing to {@code next} after the previous sink failed (a post-copy migration
     * resumed on a new connection). Bytes not yet handed over are dropped; the count of bytes
     * written goes on from where it was.
     */
    public void rebind(ByteSink next) throws IOException {
        handedOff += buf.position();
        sink = next;
        closed = false;
        take(next.swap(null));
    }

    /** Flushes, then closes the sink: the peer sees the end of the stream. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            handedOff += buf.position();
            buf = ByteBuffer.allocateDirect(0); // any later write finds no room and is refused
            sink.close();
        }
    }
}

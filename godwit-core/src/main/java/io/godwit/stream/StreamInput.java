package io.godwit.stream;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Buffered big-endian reader of a migration stream (QEMU's QEMUFile, reading side). Owned by one
 * thread. Knows the offset of every byte it reads, so errors can say where the stream went wrong.
 */
public final class StreamInput implements Closeable {
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);

    private final ByteSource source;
    private ByteBuffer buf = EMPTY;
    private MemorySegment view = MemorySegment.ofBuffer(EMPTY);
    private long before; // bytes of the buffers already consumed
    private boolean ended;
    private ByteBuffer handBack; // the source's buffer while peeked bytes are read from a copy

    public StreamInput(ByteSource source) {
        this.source = source;
    }

    /** Offset from the start of the stream of the next byte to be read. */
    public long position() {
        return before + buf.position();
    }

    /** True when a byte is available without reaching the end of the stream; may block. */
    public boolean hasMore() throws IOException {
        return buf.hasRemaining() || refill();
    }

    private boolean refill() throws IOException {
        if (ended) {
            return false;
        }
        before += buf.limit();
        ByteBuffer consumed = handBack != null ? handBack : buf == EMPTY ? null : buf;
        handBack = null;
        ByteBuffer next = source.next(consumed);
        if (next == null) {
            ended = true;
            buf = EMPTY;
            view = MemorySegment.ofBuffer(EMPTY);
            return false;
        }
        // the source may hand a buffer whose position is not 0: count those bytes as consumed
        before -= next.position();
        buf = next;
        view = MemorySegment.ofBuffer(next.duplicate().clear());
        return true;
    }

    // A value split across buffers is assembled in this small carry (the slow path).
    private final ByteBuffer carry = ByteBuffer.allocate(8);

    private ByteBuffer need(int n, String what) throws IOException {
        if (buf.remaining() >= n) {
            return buf;
        }
        long start = position();
        carry.clear();
        while (carry.position() < n) {
            if (!buf.hasRemaining() && !refill()) {
                throw new TruncatedStreamException(what, start);
            }
            carry.put(buf.get());
        }
        return carry.flip();
    }

    public int get8() throws IOException {
        if (!buf.hasRemaining() && !refill()) {
            throw new TruncatedStreamException("1 byte", position());
        }
        return buf.get() & 0xff;
    }

    /** The next byte without consuming it, or -1 at the end of the stream. */
    public int peek8() throws IOException {
        if (!buf.hasRemaining() && !refill()) {
            return -1;
        }
        return buf.get(buf.position()) & 0xff;
    }

    /**
     * Up to {@code max} of the next bytes without consuming them; fewer only at the end of the
     * stream. For formats that can only be split by looking ahead (device state without a length).
     */
    public byte[] peek(int max) throws IOException {
        if (buf.remaining() >= max) {
            byte[] b = new byte[max];
            buf.get(buf.position(), b);
            return b;
        }
        java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream(max);
        long start = position();
        while (seen.size() < max && (buf.hasRemaining() || refill())) {
            int n = Math.min(max - seen.size(), buf.remaining());
            byte[] part = new byte[n];
            buf.get(part);
            seen.writeBytes(part);
        }
        byte[] b = seen.toByteArray();
        unread(b, start);
        return b;
    }

    /** Up to {@code max} of the next bytes that are already here; never blocks. */
    public byte[] peekBuffered(int max) {
        byte[] b = new byte[Math.min(max, buf.remaining())];
        buf.get(buf.position(), b);
        return b;
    }

    // Puts bytes just read back in front of the current buffer's rest, in a heap copy; the
    // source's buffer goes back to it at the next refill, as if fully read.
    private void unread(byte[] bytes, long at) {
        ByteBuffer copy = ByteBuffer.allocate(bytes.length + buf.remaining());
        copy.put(bytes).put(buf).flip();
        if (buf != EMPTY && handBack == null) {
            handBack = buf;
        }
        buf = copy;
        view = MemorySegment.ofBuffer(copy);
        before = at;
    }

    public int getBe16() throws IOException {
        return need(2, "2 bytes").getShort() & 0xffff;
    }

    public int getBe32() throws IOException {
        return need(4, "4 bytes").getInt();
    }

    public long getBe64() throws IOException {
        return need(8, "8 bytes").getLong();
    }

    public void getBytes(byte[] dst, int off, int len) throws IOException {
        long start = position();
        while (len > 0) {
            if (!buf.hasRemaining() && !refill()) {
                throw new TruncatedStreamException(len + " more bytes of a " + (position() - start + len)
                        + "-byte field", position());
            }
            int n = Math.min(len, buf.remaining());
            buf.get(dst, off, n);
            off += n;
            len -= n;
        }
    }

    public byte[] getBytes(int len) throws IOException {
        byte[] b = new byte[len];
        getBytes(b, 0, len);
        return b;
    }

    /** A u8 length then that many bytes (an idstr or RAM block name). */
    public String getString8() throws IOException {
        int len = get8();
        return new String(getBytes(len), StandardCharsets.UTF_8);
    }

    /** Copies the next {@code len} bytes of the stream into {@code dst} at {@code off}. */
    public void copyTo(MemorySegment dst, long off, long len) throws IOException {
        while (len > 0) {
            if (!buf.hasRemaining() && !refill()) {
                throw new TruncatedStreamException(len + " more bytes of data", position());
            }
            int n = (int) Math.min(len, buf.remaining());
            int pos = buf.position();
            MemorySegment.copy(view, pos, dst, off, n);
            buf.position(pos + n);
            off += n;
            len -= n;
        }
    }

    /** Reads and drops {@code len} bytes. */
    public void skip(long len) throws IOException {
        while (len > 0) {
            if (!buf.hasRemaining() && !refill()) {
                throw new TruncatedStreamException(len + " more bytes to skip", position());
            }
            int n = (int) Math.min(len, buf.remaining());
            buf.position(buf.position() + n);
            len -= n;
        }
    }

    /**
     * Reads and drops everything up to the end of the stream, handing each buffer back to the
     * source as it was given (a refused stream is drained this way so that closing does not reset
     * the connection).
     */
    public void discardRest() throws IOException {
        buf.position(buf.limit());
        while (refill()) {
            buf.position(buf.limit());
        }
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}

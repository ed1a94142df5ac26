package io.godwit.multifd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Reads a multifd channel straight from its socket once the init message is read: each packet
 * header into a buffer of its own size, then the pages with one scattering read into their places
 * in RAM, so page data is copied once (by the kernel) instead of through a stream buffer. What the
 * stream input had read ahead of the init message is handed out first. Owned by the channel's
 * thread.
 */
final class SocketPageReader {
    private final SocketChannel socket;
    private final ByteBuffer readAhead;
    private final String where;
    private long position;

    /** {@code readAhead}: bytes already read from the socket, which come before anything unread. */
    SocketPageReader(SocketChannel socket, byte[] readAhead, long position, String where) {
        this.socket = socket;
        this.where = where;
        this.readAhead = ByteBuffer.wrap(readAhead);
        this.position = position;
    }

    /** Offset in the channel's stream of the next byte, for messages. */
    long position() {
        return position;
    }

    /** Fills {@code header}; false if the stream ended cleanly before its first byte. */
    boolean readHeader(ByteBuffer header) throws IOException {
        header.clear();
        return fill(new ByteBuffer[] {header}, header.remaining(), true);
    }

    /**
     * Fills the first {@code count} buffers of {@code pages}, {@code bytes} in all; the stream
     * ending first is an error.
     */
    void readPages(ByteBuffer[] pages, int count, long bytes) throws IOException {
        fill(pages, count, bytes, false, "page run");
    }

    /**
     * Fills what is left of {@code part} from its position (the rest of a header, or a device
     * state buffer); the stream ending first is an error naming {@code what}.
     */
    void readRest(ByteBuffer part, String what) throws IOException {
        fill(new ByteBuffer[] {part}, part.remaining(), false, what);
    }

    /** As {@link #readHeader}, but fills {@code part} from its position without clearing it. */
    boolean readStart(ByteBuffer part) throws IOException {
        return fill(new ByteBuffer[] {part}, part.remaining(), true, "packet header");
    }

    private boolean fill(ByteBuffer[] dsts, long bytes, boolean endOk) throws IOException {
        return fill(dsts, bytes, endOk, endOk ? "packet header" : "page run");
    }

    private boolean fill(ByteBuffer[] dsts, long bytes, boolean endOk, String what) throws IOException {
        return fill(dsts, dsts.length, bytes, endOk, what);
    }

    private boolean fill(ByteBuffer[] dsts, int count, long bytes, boolean endOk, String what) throws IOException {
        long left = bytes - drainReadAhead(dsts, count);
        while (left > 0) {
            long n = socket.read(dsts, 0, count);
            if (n < 0) {
                if (endOk && left == bytes) {
                    return false;
                }
                throw new IOException(where + " ended at byte " + (position + bytes - left) + ", "
                        + left + " bytes short of a " + bytes + "-byte " + what);
            }
            left -= n;
        }
        position += bytes;
        return true;
    }

    private long drainReadAhead(ByteBuffer[] dsts, int count) {
        long moved = 0;
        for (int i = 0; i < count && readAhead.hasRemaining(); i++) {
            ByteBuffer d = dsts[i];
            int n = Math.min(d.remaining(), readAhead.remaining());
            d.put(readAhead.slice(readAhead.position(), n));
            readAhead.position(readAhead.position() + n);
            moved += n;
        }
        return moved;
    }
}

package io.godwit.qmp;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits QMP input into lines, reading in small chunks and never holding more than one command's
 * worth of bytes, so a client that sends no newline costs at most {@link #MAX_COMMAND_BYTES}.
 * Lines end with LF; a CR before it is dropped. Not thread-safe: one reader per connection.
 */
final class QmpLineReader {
    /**
     * The longest command accepted, in bytes, not counting the line end. Godwit's largest
     * commands are a few hundred bytes; QEMU bounds a JSON value too (64 MiB, 2 Mi tokens).
     */
    static final int MAX_COMMAND_BYTES = 1 << 20;
    private static final int CHUNK = 16 << 10;
    private static final int KEPT_LINE_BUFFER = 64 << 10;

    /** A line longer than the limit: the connection cannot be resynchronised, only closed. */
    static final class TooLongException extends IOException {
        TooLongException(int limit) {
            super("QMP command exceeds " + limit + " bytes");
        }
    }

    private final InputStream in;
    private final int limit;
    private final byte[] chunk = new byte[CHUNK];
    private int chunkPos;
    private int chunkEnd;
    private byte[] line = new byte[1024];
    private int lineLength;

    QmpLineReader(InputStream in, int limit) {
        this.in = in;
        this.limit = limit;
    }

    /** The next line without its line end; the last line may lack one; null at the end of input. */
    byte[] next() throws IOException {
        lineLength = 0;
        if (line.length > KEPT_LINE_BUFFER) {
            line = new byte[1024]; // one big command does not pin a big buffer to the connection
        }
        while (true) {
            if (chunkPos == chunkEnd) {
                int n = in.read(chunk);
                if (n < 0) {
                    return lineLength > 0 ? finish() : null;
                }
                chunkPos = 0;
                chunkEnd = n;
            }
            int newline = indexOfNewline();
            int stop = newline < 0 ? chunkEnd : newline;
            append(stop - chunkPos);
            chunkPos = newline < 0 ? chunkEnd : newline + 1;
            if (newline >= 0) {
                return finish();
            }
        }
    }

    private int indexOfNewline() {
        for (int i = chunkPos; i < chunkEnd; i++) {
            if (chunk[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Appends from the chunk; one byte over the limit is let in, for a CR that finish drops. */
    private void append(int n) throws TooLongException {
        if (lineLength + n > limit + 1) {
            throw new TooLongException(limit);
        }
        if (lineLength + n > line.length) {
            line = Arrays.copyOf(line, Math.min(limit + 1, Math.max(lineLength + n, line.length * 2)));
        }
        System.arraycopy(chunk, chunkPos, line, lineLength, n);
        lineLength += n;
    }

    private byte[] finish() throws TooLongException {
        int n = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
        if (n > limit) {
            throw new TooLongException(limit);
        }
        return Arrays.copyOf(line, n);
    }
}

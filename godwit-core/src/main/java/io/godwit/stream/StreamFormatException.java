package io.godwit.stream;

import java.io.IOException;

/**
 * A stream that is not what it must be: says what was expected, what was found, and at which
 * byte offset of the stream, so a corrupt file or a confused peer can be found quickly.
 */
public class StreamFormatException extends IOException {
    private final long offset;

    public StreamFormatException(String message, long offset) {
        super(message + " at byte offset " + offset);
        this.offset = offset;
    }

    public StreamFormatException(String message, long offset, Throwable cause) {
        super(message + " at byte offset " + offset, cause);
        this.offset = offset;
    }

    /** Offset from the start of the stream of the byte that broke the rule. */
    public long offset() {
        return offset;
    }
}

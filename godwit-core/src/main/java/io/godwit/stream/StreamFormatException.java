package io.godwit.stream;

import java.io.IOException;

/**
 * A stream that is not what it must be: says what was expected, what was found, and at which
 * byte offset of the stream, so a corrupt file or a confused peer can be found quickly. The
 * message is one printable line whatever the stream held: what does not print in it (a name
 * made of raw bytes) is escaped ({@link Printable}).
 */
public class StreamFormatException extends IOException {
    private final long offset;
    private final String reason;

    public StreamFormatException(String message, long offset) {
        this(message, offset, null);
    }

    public StreamFormatException(String message, long offset, Throwable cause) {
        super(Printable.escape(message) + " at byte offset " + offset, cause);
        this.offset = offset;
        this.reason = Printable.escape(message);
    }

    /** Offset from the start of the stream of the byte that broke the rule. */
    public long offset() {
        return offset;
    }

    /** The message without the offset, for callers that show the offset their own way. */
    public String reason() {
        return reason;
    }
}

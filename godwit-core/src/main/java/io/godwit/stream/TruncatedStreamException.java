package io.godwit.stream;

/** The stream ended in the middle of something: a header, a record, a page. */
public final class TruncatedStreamException extends StreamFormatException {
    public TruncatedStreamException(String what, long offset) {
        super("truncated stream: expected " + what + ", stream ended", offset);
    }
}

package io.godwit.stream;

/** The stream ended in the middle of something: a header, a record, a page. */
public final class TruncatedStreamException extends StreamFormatException {
    private final String what;

    public TruncatedStreamException(String what, long offset) {
        super("truncated stream: expected " + what + ", stream ended", offset);
        this.what = what;
    }

    /** What the reader expected when the stream ended, such as "8 bytes". */
    public String what() {
        return what;
    }
}

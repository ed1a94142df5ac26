package io.godwit.stream;

/**
 * The bytes a record reader leaves in the stream for its caller after a record (a page, a chunk,
 * device data): the reader notes where they end and reads no further record until the caller has
 * read or skipped them, so a caller that forgets cannot make the reader take data for records.
 */
public final class UnreadData {
    private final String what;
    private StreamInput in;
    private long end;

    /** @param what the bytes, for the message: "page", "chunk data", ... */
    public UnreadData(String what) {
        this.what = what;
    }

    /** {@code n} bytes follow the record just read from {@code in}. */
    public void follow(StreamInput in, long n) {
        this.in = in;
        this.end = in.position() + n;
    }

    /** Before the next record of {@code in}: the bytes must have been read. */
    public void checkRead(StreamInput in) {
        if (in == this.in && in.position() != end) {
            throw new IllegalStateException("the " + what + " after the previous record must be read first: "
                    + "expected to be at " + end + ", at " + in.position());
        }
        this.in = null;
    }
}

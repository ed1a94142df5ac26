package io.godwit.inspect;

import io.godwit.stream.StreamFormatException;

/**
 * A VMState description that cannot be read, or a section payload that does not match its
 * description. Names the field path (such as {@code cpu.env.segs[2].base}, or a JSON path for
 * a description that is malformed) and the byte offset where the mismatch was found.
 */
public final class VmStateException extends StreamFormatException {
    private final String path;

    public VmStateException(String path, String message, long offset) {
        super(path.isEmpty() ? message : path + ": " + message, offset);
        this.path = path;
    }

    /** Where in the description it went wrong; empty when it is the whole document. */
    public String path() {
        return path;
    }
}

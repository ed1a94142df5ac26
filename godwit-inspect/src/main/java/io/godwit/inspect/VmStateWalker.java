package io.godwit.inspect;

import static io.godwit.stream.StreamConstants.SUBSECTION;

import io.godwit.stream.StreamInput;
import io.godwit.stream.TruncatedStreamException;
import java.io.IOException;

/**
 * Consumes exactly the bytes a VMState description says were written, field by field: structs
 * are walked through their own fields (and checked against the size the trailer gives them),
 * other fields are their size per element, and each described subsection must follow as
 * 0x05, u8 length + name, be32 version. Nothing is skipped without a description.
 */
final class VmStateWalker {
    private final StreamInput in;
    private long leaves;

    VmStateWalker(StreamInput in) {
        this.in = in;
    }

    /** Fields walked so far that are not structs. */
    long leaves() {
        return leaves;
    }

    /** Walks {@code body}, whose path in messages starts with {@code root}; returns the bytes consumed. */
    long walk(String root, VmStateStruct body) throws IOException {
        long start = in.position();
        walkStruct(root, body);
        return in.position() - start;
    }

    private void walkStruct(String path, VmStateStruct s) throws IOException {
        for (VmStateField f : s.fields()) {
            for (int e = 0; e < f.count(); e++) {
                walkElement(path + "." + f.label(e), f);
            }
        }
        for (VmStateStruct sub : s.subsections()) {
            walkSubsection(path, sub);
        }
    }

    private void walkElement(String path, VmStateField f) throws IOException {
        long at = in.position();
        if (f.struct() != null) {
            walkStruct(path, f.struct());
            long took = in.position() - at;
            if (f.size() >= 0 && took != f.size()) {
                throw new VmStateException(path, String.format("the trailer gives this %s %d bytes but its fields "
                        + "take %d (from %s to %s)", f.type(), f.size(), took, Hex.of(at), Hex.of(in.position())), at);
            }
            return;
        }
        if (VmStateField.CAPABILITY.equals(f.type())) {
            skip(path, f, at, readLength(path, f, at));
        } else {
            skip(path, f, at, f.size());
        }
        leaves++;
    }

    private int readLength(String path, VmStateField f, long at) throws IOException {
        try {
            return in.get8();
        } catch (TruncatedStreamException e) {
            throw ended(path, f, at, 1);
        }
    }

    private void skip(String path, VmStateField f, long at, long size) throws IOException {
        try {
            in.skip(size);
        } catch (TruncatedStreamException e) {
            throw ended(path, f, at, size);
        }
    }

    private VmStateException ended(String path, VmStateField f, long at, long size) {
        return new VmStateException(path, String.format("expected %d bytes of %s from %s, the data ends at %s",
                size, f.type(), Hex.of(at), Hex.of(in.position())), at);
    }

    private void walkSubsection(String parent, VmStateStruct sub) throws IOException {
        String path = parent + ".subsection(" + sub.vmsdName() + ")";
        long at = in.position();
        int marker = in.peek8();
        if (marker != SUBSECTION) {
            throw new VmStateException(path, marker < 0
                    ? "expected subsection '" + sub.vmsdName() + "' (0x05), the data ends"
                    : String.format("expected subsection '%s' (0x05), found 0x%02x", sub.vmsdName(), marker), at);
        }
        String name;
        int version;
        try {
            in.get8();
            name = in.getString8();
            version = in.getBe32();
        } catch (TruncatedStreamException e) {
            throw new VmStateException(path, "subsection header cut short: the data ends at " + Hex.of(in.position()), at);
        }
        if (!name.equals(sub.vmsdName())) {
            throw new VmStateException(path, "expected subsection '" + sub.vmsdName() + "', found '" + name + "'", at);
        }
        if (sub.version() >= 0 && version != sub.version()) {
            throw new VmStateException(path, "subsection version " + version + " in the stream, " + sub.version()
                    + " in the trailer", at);
        }
        walkStruct(path, sub);
    }
}

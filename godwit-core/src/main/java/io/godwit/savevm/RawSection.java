package io.godwit.savevm;

import static io.godwit.stream.StreamConstants.*;

import io.godwit.stream.CommandType;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import io.godwit.stream.TruncatedStreamException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * Device state kept as it came: a FULL section of a foreign machine (a QEMU device) that this side
 * does not interpret, held as bytes and sent on unchanged when the machine migrates again.
 *
 * <p>QEMU's device sections carry no length. The section ends at its footer (0x7e + be32 section
 * id) when what follows can only be the start of the next record: a FULL or START header with a
 * printable idstr, a known command, or EOF. The VMDESCRIPTION trailer, which comes after EOF, can
 * then confirm the split field by field (see {@link Check}).
 */
public final class RawSection implements SaveVmHandler {
    /** A device section larger than this without its footer is refused rather than buffered. */
    public static final int MAX_BYTES = 64 << 20;

    private final String idstr;
    private final int instanceId;
    private volatile int versionId;
    private volatile byte[] state = new byte[0];
    private volatile String description;

    /** Checks raw sections against the source's trailer once the whole stream has loaded. */
    @FunctionalInterface
    public interface Check {
        /** @param vmDescription the trailer's JSON, or null when the source sent none */
        void check(String vmDescription, List<RawSection> sections) throws IOException;
    }

    public RawSection(String idstr, int instanceId, int versionId) {
        this.idstr = idstr;
        this.instanceId = instanceId;
        this.versionId = versionId;
    }

    /** A section already known by its bytes, as if loaded from a stream. */
    public static RawSection of(String idstr, int instanceId, int versionId, byte[] state) {
        RawSection s = new RawSection(idstr, instanceId, versionId);
        s.state = state.clone();
        return s;
    }

    public String idstr() {
        return idstr;
    }

    public int instanceId() {
        return instanceId;
    }

    public int versionId() {
        return versionId;
    }

    /** How many bytes the section holds. */
    public int size() {
        return state.length;
    }

    /** The section's bytes as received (a copy). */
    public byte[] state() {
        return state.clone();
    }

    /** The source's trailer entry for this section (JSON), passed on in this side's trailer. */
    public String description() {
        return description;
    }

    public void setDescription(String json) {
        this.description = json;
    }

    @Override
    public boolean isLive() {
        return false;
    }

    @Override
    public void saveState(SaveContext ctx) throws IOException {
        ctx.out().putBytes(state);
    }

    @Override
    public void loadState(LoadContext ctx, int version) throws IOException {
        StreamInput in = ctx.in();
        long start = in.position();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int id = ctx.sectionId();
        while (!(in.peek8() == SECTION_FOOTER && endsHere(in, id))) {
            if (got.size() >= MAX_BYTES) {
                throw new StreamFormatException("device section '" + idstr + "' has no footer in its first "
                        + MAX_BYTES + " bytes; expected 0x7e and section id " + id, start);
            }
            if (!in.hasMore()) {
                throw noFooter(got.toByteArray(), id, in.position(), ctx.sectionOffset() >= 0 ? ctx.sectionOffset() : start);
            }
            got.write(in.get8());
        }
        state = got.toByteArray();
        versionId = version;
    }

    /**
     * The stream ended before the footer. Cut inside the footer, it is truncated there; with no
     * footer begun, a bad section id in the header is likelier than a short stream: name the header.
     */
    private StreamFormatException noFooter(byte[] got, int id, long end, long header) {
        byte[] footer = {SECTION_FOOTER, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id};
        for (int n = Math.min(4, got.length); n > 0; n--) {
            if (java.util.Arrays.equals(got, got.length - n, got.length, footer, 0, n)) {
                return new TruncatedStreamException((5 - n) + " more bytes of the footer of '" + idstr + "'", end);
            }
        }
        return new StreamFormatException(String.format("FULL section '%s' (id %d) has no footer (0x7e and id %d) "
                + "before the stream ends at byte offset %d; is its header corrupt?", idstr, id, id, end), header);
    }

    /**
     * Whether the footer of section {@code id} is next, followed by the start of a record. Peeks
     * only as far as the candidate needs, so a source waiting for an answer is never waited on.
     */
    static boolean endsHere(StreamInput in, int id) throws IOException {
        byte[] b = in.peek(6);
        if (b.length < 5 || be32(b, 1) != id) {
            return false;
        }
        if (b.length == 5) {
            return true; // the stream ends after the footer: the loader reports it truncated
        }
        return switch (b[5]) {
            case EOF -> {
                byte[] t = in.peekBuffered(7); // a trailer may follow; never wait for one
                yield t.length < 7 || t[6] == VMDESCRIPTION;
            }
            case SECTION_FULL, SECTION_START -> headerFollows(in);
            case COMMAND -> {
                byte[] c = in.peek(10);
                yield c.length == 10 && CommandType.of((c[6] & 0xff) << 8 | (c[7] & 0xff)) != null;
            }
            default -> false;
        };
    }

    // type, be32 section id, u8 length + idstr, be32 instance, be32 version: ids and versions
    // are small and idstrs printable in every stream seen, so a match by chance is negligible.
    private static boolean headerFollows(StreamInput in) throws IOException {
        byte[] h = in.peek(11);
        if (h.length < 11 || be32(h, 6) > 0xffff) {
            return false;
        }
        int len = h[10] & 0xff;
        if (len == 0) {
            return false;
        }
        byte[] full = in.peek(11 + len + 8);
        if (full.length < 11 + len + 8) {
            return false;
        }
        for (int i = 11; i < 11 + len; i++) {
            if (full[i] < 0x20 || full[i] > 0x7e) {
                return false;
            }
        }
        return be32(full, 11 + len) <= 0xffff && be32(full, 15 + len) <= 0xffff;
    }

    private static long be32(byte[] b, int at) {
        return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }
}

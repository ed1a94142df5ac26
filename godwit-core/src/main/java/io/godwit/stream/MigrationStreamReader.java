package io.godwit.stream;

import static io.godwit.stream.StreamConstants.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Reads the framing of a QEMU v3 migration stream and verifies each frame before it is acted on:
 * magic, version, section types, command codes and lengths, footers. Every refusal is a
 * {@link StreamFormatException} naming what was expected and the byte offset.
 */
public final class MigrationStreamReader {
    /** Larger trailers are refused rather than allocated: QEMU's are a few hundred KiB at most. */
    public static final int MAX_VMDESCRIPTION_BYTES = 64 << 20;

    private final StreamInput in;

    public MigrationStreamReader(StreamInput in) {
        this.in = in;
    }

    public StreamInput in() {
        return in;
    }

    /** Reads and checks the magic and version. */
    public void readHeader() throws IOException {
        long at = in.position();
        int magic = in.getBe32();
        if (magic != FILE_MAGIC) {
            throw new StreamFormatException(String.format(
                    "not a migration stream: expected magic 0x%08x (QEVM), found 0x%08x", FILE_MAGIC, magic), at);
        }
        at = in.position();
        int version = in.getBe32();
        if (version == FILE_VERSION_COMPAT) {
            throw new StreamFormatException("unsupported stream version 2 (obsolete); expected version 3", at);
        }
        if (version != FILE_VERSION) {
            throw new StreamFormatException("unsupported stream version " + version + "; expected version 3", at);
        }
    }

    /**
     * Reads the next framing record. At the end of the stream (after EOF, where the trailer is
     * optional) returns null.
     */
    public StreamRecord next() throws IOException {
        long at = in.position();
        int type = in.peek8();
        if (type < 0) {
            return null;
        }
        in.get8();
        return switch (type) {
            case EOF -> StreamRecord.EOF;
            case SECTION_START, SECTION_FULL -> readStartOrFull(type);
            case SECTION_PART, SECTION_END -> new SectionHeader(type, in.getBe32(), null, 0, 0);
            case SECTION_FOOTER -> new SectionFooter(in.getBe32());
            case COMMAND -> readCommand(at);
            case CONFIGURATION -> readConfiguration();
            case VMDESCRIPTION -> readVmDescription();
            default -> throw new StreamFormatException(String.format(
                    "unknown section type 0x%02x; expected one of EOF, START, PART, END, FULL, COMMAND, "
                            + "CONFIGURATION, FOOTER, VMDESCRIPTION", type), at);
        };
    }

    private SectionHeader readStartOrFull(int type) throws IOException {
        int sectionId = in.getBe32();
        String idstr = in.getString8();
        int instanceId = in.getBe32();
        int versionId = in.getBe32();
        return new SectionHeader(type, sectionId, idstr, instanceId, versionId);
    }

    private Command readCommand(long at) throws IOException {
        int code = in.getBe16();
        int len = in.getBe16();
        CommandType t = CommandType.of(code);
        if (t == null) {
            throw new StreamFormatException(String.format("unknown command 0x%04x (length %d)", code, len), at);
        }
        if (t.length >= 0 && t.length != len) {
            throw new StreamFormatException(
                    "command " + t + " has length " + len + "; expected " + t.length, at);
        }
        return new Command(t, in.getBytes(len));
    }

    private Configuration readConfiguration() throws IOException {
        long at = in.position();
        int len = in.getBe32();
        if (len < 0 || len > 256) {
            throw new StreamFormatException("machine type length " + Integer.toUnsignedString(len)
                    + " out of range; expected 0 to 256", at);
        }
        String name = new String(in.getBytes(len), StandardCharsets.UTF_8);
        int pageBits = 0;
        List<String> caps = new ArrayList<>();
        UUID uuid = null;
        while (in.peek8() == SUBSECTION) {
            long subAt = in.position();
            in.get8();
            String sub = in.getString8();
            int version = in.getBe32();
            if (version != 1) {
                throw new StreamFormatException("subsection " + sub + " version " + version + "; expected 1", subAt);
            }
            switch (sub) {
                case Configuration.SUB_TARGET_PAGE_BITS -> pageBits = in.getBe32();
                case Configuration.SUB_CAPABILITIES -> {
                    int n = in.getBe32();
                    if (n < 0 || n > 1024) {
                        throw new StreamFormatException("capability count " + n + " out of range", subAt);
                    }
                    for (int i = 0; i < n; i++) {
                        caps.add(in.getString8());
                    }
                }
                case Configuration.SUB_UUID -> uuid = new UUID(in.getBe64(), in.getBe64());
                default -> throw new StreamFormatException("unknown configuration subsection '" + sub
                        + "'; expected target-page-bits, capabilities or uuid", subAt);
            }
        }
        return new Configuration(name, pageBits, caps, uuid);
    }

    private VmDescription readVmDescription() throws IOException {
        long at = in.position();
        int len = in.getBe32();
        if (len < 0 || len > MAX_VMDESCRIPTION_BYTES) {
            throw new StreamFormatException("VMDESCRIPTION length " + Integer.toUnsignedString(len)
                    + " out of range; expected at most " + MAX_VMDESCRIPTION_BYTES, at);
        }
        return new VmDescription(new String(in.getBytes(len), StandardCharsets.UTF_8));
    }

    /**
     * Reads the package that follows a PACKAGED command (at {@code at}), after checking the length
     * it announced (loadvm_handle_cmd_packaged).
     */
    public byte[] readPackage(Command packaged, long at) throws IOException {
        if (packaged.type() != CommandType.PACKAGED) {
            throw new IllegalArgumentException("not a PACKAGED command: " + packaged);
        }
        int length = packaged.intValue();
        if (length < 0 || length > MAX_PACKAGED_SIZE) {
            throw new StreamFormatException("Unreasonably large packaged state: " + Integer.toUnsignedString(length)
                    + " bytes; expected at most " + MAX_PACKAGED_SIZE, at);
        }
        return in.getBytes(length);
    }

    /** Reads the footer that must close section {@code sectionId} of handler {@code idstr}. */
    public void readFooter(int sectionId, String idstr) throws IOException {
        long at = in.position();
        int type = in.hasMore() ? in.get8() : -1;
        if (type != SECTION_FOOTER) {
            if (type < 0) {
                throw new TruncatedStreamException("section footer for '" + idstr + "'", at);
            }
            throw new StreamFormatException(String.format(
                    "missing section footer for '%s': expected 0x7e, found 0x%02x", idstr, type), at);
        }
        int id = in.getBe32();
        if (id != sectionId) {
            throw new StreamFormatException(String.format(
                    "mismatched section id in footer for '%s': expected %d, found %d", idstr, sectionId, id), at);
        }
    }
}

package io.godwit.stream;

import static io.godwit.stream.StreamConstants.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Writes the framing of a QEMU v3 migration stream; section payloads go straight to {@link #out()}. */
public final class MigrationStreamWriter {
    private final StreamOutput out;

    public MigrationStreamWriter(StreamOutput out) {
        this.out = out;
    }

    public StreamOutput out() {
        return out;
    }

    /** Magic "QEVM" and version 3. */
    public void header() throws IOException {
        out.putBe32(FILE_MAGIC);
        out.putBe32(FILE_VERSION);
    }

    public void write(StreamRecord record) throws IOException {
        switch (record) {
            case Configuration c -> configuration(c);
            case SectionHeader h -> section(h);
            case SectionFooter f -> footer(f.sectionId());
            case Command c -> command(c);
            case StreamRecord.Eof e -> eof();
            case VmDescription d -> vmDescription(d.json());
        }
    }

    public void configuration(Configuration c) throws IOException {
        out.put8(CONFIGURATION);
        byte[] name = c.machineType().getBytes(StandardCharsets.UTF_8);
        out.putBe32(name.length);
        out.putBytes(name);
        if (c.targetPageBits() != 0) {
            subsectionHeader(Configuration.SUB_TARGET_PAGE_BITS, 1);
            out.putBe32(c.targetPageBits());
        }
        if (!c.capabilities().isEmpty()) {
            subsectionHeader(Configuration.SUB_CAPABILITIES, 1);
            out.putBe32(c.capabilities().size());
            for (String cap : c.capabilities()) {
                out.putString8(cap);
            }
        }
        if (c.uuid() != null) {
            subsectionHeader(Configuration.SUB_UUID, 1);
            UUID u = c.uuid();
            out.putBe64(u.getMostSignificantBits());
            out.putBe64(u.getLeastSignificantBits());
        }
    }

    private void subsectionHeader(String name, int version) throws IOException {
        out.put8(SUBSECTION);
        out.putString8(name);
        out.putBe32(version);
    }

    public void section(SectionHeader h) throws IOException {
        out.put8(h.type());
        out.putBe32(h.sectionId());
        if (h.isStartOrFull()) {
            out.putString8(h.idstr());
            out.putBe32(h.instanceId());
            out.putBe32(h.versionId());
        }
    }

    public void footer(int sectionId) throws IOException {
        out.put8(SECTION_FOOTER);
        out.putBe32(sectionId);
    }

    public void command(Command c) throws IOException {
        out.put8(COMMAND);
        out.putBe16(c.type().code);
        out.putBe16(c.data().length);
        out.putBytes(c.data());
    }

    /**
     * PACKAGED and the package after it (savevm.c qemu_savevm_send_packaged): a stream without a
     * header that the destination reads whole before loading it, so that the main stream stays
     * free for pages while the devices in the package load.
     */
    public void packaged(byte[] pkg) throws IOException {
        if (pkg.length > MAX_PACKAGED_SIZE) {
            throw new IOException("Unreasonably large packaged state: " + pkg.length + " bytes; at most "
                    + MAX_PACKAGED_SIZE);
        }
        command(Command.packaged(pkg.length));
        out.putBytes(pkg);
    }

    public void eof() throws IOException {
        out.put8(EOF);
    }

    /** The trailer after EOF; the JSON must not contain a NUL byte (tools search back for one). */
    public void vmDescription(String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        out.put8(VMDESCRIPTION);
        out.putBe32(b.length);
        out.putBytes(b);
    }
}

package io.godwit.inspect;

import static io.godwit.stream.StreamConstants.*;

import io.godwit.stream.Command;
import io.godwit.stream.CommandType;
import io.godwit.stream.Configuration;
import io.godwit.stream.MigrationStreamReader;
import io.godwit.stream.SectionFooter;
import io.godwit.stream.SectionHeader;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import io.godwit.stream.StreamRecord;
import io.godwit.stream.TruncatedStreamException;
import io.godwit.stream.VmDescription;
import io.godwit.transport.ChannelSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a migration stream file from start to end, once, verifying every frame: the header, the
 * configuration, each section (live sections by their known formats, FULL sections by walking
 * the trailer's description field by field, then the footer right there), commands, EOF and the
 * trailer. The trailer is found first at the end of the file, since FULL sections need it.
 * Errors are {@link StreamFormatException}s with the offset in the file.
 */
public final class StreamInspector {
    private static final int BUFFER = 1 << 20;

    private final Path file;
    private final Path extractDir;
    private final Progress progress;

    // One inspection's state.
    private InspectReport report;
    private StreamInput in;
    private MigrationStreamReader reader;
    private VmStateDescription description;
    private TrailerLocator.Trailer trailer;
    private RamExtractor extractor;
    private Sections readers;
    private final Map<Integer, SectionHeader> open = new HashMap<>();

    /** {@code extractDir} null: no RAM is written out. */
    public StreamInspector(Path file, Path extractDir, Progress progress) {
        this.file = file;
        this.extractDir = extractDir;
        this.progress = progress;
    }

    public InspectReport inspect() throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            report = new InspectReport(file.toString(), size);
            trailer = TrailerLocator.find(ch, size);
            if (trailer != null) {
                description = VmStateDescription.parse(trailer.json(), trailer.jsonOffset());
                for (DeviceDescription d : description.devices()) {
                    report.devices.add(new InspectReport.Device(d));
                }
            }
            in = new StreamInput(new ChannelSource(ch.position(0), BUFFER, file.toString()));
            readers = new Sections(report, this::ramPageSize, this::extractor, progress);
            try {
                walk();
            } catch (TruncatedStreamException e) {
                throw new StreamFormatException("truncated: the file ends at " + Hex.of(size) + ", expected " + e.what(),
                        e.offset());
            } finally {
                if (extractor != null) {
                    extractor.close();
                }
            }
            return report;
        }
    }

    private void walk() throws IOException {
        reader = new MigrationStreamReader(in);
        reader.readHeader();
        report.magic = FILE_MAGIC;
        report.version = FILE_VERSION;
        while (true) {
            long at = in.position();
            StreamRecord rec = reader.next();
            if (rec == null) {
                break;
            }
            if (report.eofSeen() && !(rec instanceof VmDescription)) {
                throw new StreamFormatException("unexpected " + describe(rec) + " after EOF; expected the VMDESCRIPTION "
                        + "trailer or the end of the file", at);
            }
            switch (rec) {
                case Configuration c -> configuration(c, at);
                case SectionHeader h -> section(h, at);
                case Command c -> command(c, at);
                case StreamRecord.Eof e -> report.eofOffset = at;
                case VmDescription d -> trailer(d, at);
                case SectionFooter f -> throw new StreamFormatException("section footer (section id " + f.sectionId()
                        + ") with no section before it", at);
            }
            progress.at(at);
        }
        if (!report.eofSeen()) {
            throw new StreamFormatException("truncated: the file ends without an EOF record (0x00)", in.position());
        }
        finish();
    }

    private static String describe(StreamRecord rec) {
        return switch (rec) {
            case SectionHeader h -> sectionTypeName(h.type()) + " section";
            case Command c -> "command " + c.type();
            case Configuration c -> "CONFIGURATION section";
            case SectionFooter f -> "section footer";
            case StreamRecord.Eof e -> "EOF";
            case VmDescription d -> "VMDESCRIPTION";
        };
    }

    private void configuration(Configuration c, long at) throws StreamFormatException {
        if (report.config != null) {
            report.warnings.add("a second configuration section at " + Hex.of(at));
            return;
        }
        if (c.capabilities().contains("mapped-ram")) {
            throw new StreamFormatException("the stream uses mapped-ram (RAM at fixed file offsets), which inspect "
                    + "does not read", at);
        }
        report.config = new InspectReport.Config(at, c.machineType(), c.targetPageBits(), c.capabilities(), c.uuid());
        readers.ignoreShared(c.capabilities().contains("x-ignore-shared"));
    }

    private void command(Command c, long at) {
        Long value = null;
        String detail = null;
        ByteBuffer data = ByteBuffer.wrap(c.data());
        switch (c.type()) {
            case PING, PACKAGED -> value = Integer.toUnsignedLong(c.intValue());
            case POSTCOPY_ADVISE -> {
                if (c.data().length == 16) {
                    detail = String.format("page sizes 0x%x, target page size 0x%x", data.getLong(), data.getLong());
                    readers.postcopyAdvised();
                }
            }
            case RECV_BITMAP -> {
                if (c.data().length > 0) {
                    detail = "block " + new String(c.data(), 1, Math.min(c.data()[0] & 0xff, c.data().length - 1),
                            StandardCharsets.UTF_8);
                }
            }
            default -> { }
        }
        report.commands.add(new InspectReport.CommandEntry(at, c.type().name(), c.data().length, value, detail));
    }

    private void section(SectionHeader h, long at) throws IOException {
        SectionHeader s = h;
        if (h.isStartOrFull()) {
            if (h.type() == SECTION_START && open.put(h.sectionId(), h) != null) {
                throw new StreamFormatException("START of section id " + h.sectionId() + " ('" + h.idstr()
                        + "'), which is already open", at);
            }
        } else {
            s = open.get(h.sectionId());
            if (s == null) {
                throw new StreamFormatException(sectionTypeName(h.type()) + " of section id " + h.sectionId()
                        + ", which no START opened", at);
            }
            if (h.type() == SECTION_END) {
                open.remove(h.sectionId());
            }
        }
        long payload = in.position();
        if (h.type() == SECTION_FULL) {
            full(s, at);
        } else {
            SectionReader r = readers.reader(s.idstr(), at);
            if (r == null) {
                throw new StreamFormatException(String.format("%s section '%s' (id %d, instance %d, version %d): "
                        + "inspect does not know its format, and a trailer describes FULL sections only",
                        shortType(h.type()), s.idstr(), s.sectionId(), s.instanceId(), s.versionId()), at);
            }
            r.read(in, s.versionId());
        }
        long payloadEnd = in.position();
        footer(s, at, h.type() == SECTION_FULL && description != null
                && description.device(s.idstr(), s.instanceId()) != null ? "its description" : "its records");
        report.sections.add(new InspectReport.Section(shortType(h.type()), s.sectionId(), s.idstr(), s.instanceId(),
                s.versionId(), at, in.position() - at, payloadEnd - payload));
    }

    private void full(SectionHeader s, long at) throws IOException {
        DeviceDescription d = description == null ? null : description.device(s.idstr(), s.instanceId());
        if (d == null) {
            SectionReader r = readers.reader(s.idstr(), at);
            if (r == null) {
                throw new StreamFormatException(String.format("FULL section '%s' (id %d, instance %d): %s, and "
                        + "inspect does not know its format", s.idstr(), s.sectionId(), s.instanceId(),
                        description == null ? "the file does not end with a VMDESCRIPTION trailer to describe it "
                                + "(is it truncated?)" : "the trailer does not describe it"), at);
            }
            r.read(in, s.versionId());
            return;
        }
        if (d.version() >= 0 && d.version() != s.versionId()) {
            report.warnings.add(String.format("section '%s' at %s has version %d; the trailer describes version %d",
                    s.idstr(), Hex.of(at), s.versionId(), d.version()));
        }
        VmStateWalker walker = new VmStateWalker(in);
        long start = in.position();
        walker.walk(s.idstr(), d.body());
        for (InspectReport.Device dev : report.devices) {
            if (dev.description == d && dev.sectionId < 0) {
                dev.sectionId = s.sectionId();
                dev.offset = at;
                dev.bytes = in.position() - start;
                dev.fields = walker.leaves();
                break;
            }
        }
    }

    /** The footer must come right where the payload ended; the engine's reader checks it. */
    private void footer(SectionHeader s, long sectionAt, String what) throws IOException {
        try {
            reader.readFooter(s.sectionId(), s.idstr());
        } catch (TruncatedStreamException e) {
            throw e;
        } catch (StreamFormatException e) {
            throw new StreamFormatException(String.format("section '%s' (id %d at %s): %s ended here; %s", s.idstr(),
                    s.sectionId(), Hex.of(sectionAt), what, e.reason()), e.offset());
        }
    }

    private void trailer(VmDescription d, long at) throws IOException {
        if (in.position() != report.fileSize) {
            throw new StreamFormatException("VMDESCRIPTION trailer does not end at the end of the file: "
                    + (report.fileSize - in.position()) + " bytes follow it", at);
        }
        if (trailer == null || trailer.offset() != at) { // its JSON does not start with '{': check it now
            description = VmStateDescription.parse(d.json().getBytes(StandardCharsets.UTF_8), at + 5);
            for (DeviceDescription dev : description.devices()) {
                report.devices.add(new InspectReport.Device(dev));
            }
        }
        report.trailerOffset = at;
        report.trailerBytes = in.position() - at;
    }

    private void finish() {
        for (InspectReport.Device dev : report.devices) {
            if (dev.sectionId < 0) {
                report.warnings.add("the trailer describes '" + dev.description.name() + "' instance "
                        + dev.description.instanceId() + ", but the stream has no FULL section for it");
            }
        }
        for (SectionHeader s : open.values()) {
            report.warnings.add("section '" + s.idstr() + "' (id " + s.sectionId() + ") was started but never ended");
        }
    }

    private long ramPageSize() {
        if (description != null && description.pageSize() > 0) {
            return description.pageSize();
        }
        if (report.config != null && report.config.targetPageBits() > 0) {
            return 1L << report.config.targetPageBits();
        }
        return TARGET_PAGE_SIZE;
    }

    private RamExtractor extractor(long pageSize) throws IOException {
        if (extractDir != null && extractor == null) {
            extractor = new RamExtractor(extractDir, pageSize);
        }
        return extractor;
    }

    private static String shortType(int type) {
        return switch (type) {
            case SECTION_START -> "START";
            case SECTION_PART -> "PART";
            case SECTION_END -> "END";
            case SECTION_FULL -> "FULL";
            default -> sectionTypeName(type);
        };
    }
}

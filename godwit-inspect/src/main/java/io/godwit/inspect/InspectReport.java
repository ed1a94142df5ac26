package io.godwit.inspect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Everything one inspection found, in stream order, for the text and JSON renderings. Filled by
 * {@link StreamInspector}; offsets are from the start of the file.
 */
public final class InspectReport {
    /** The configuration section. */
    public record Config(long offset, String machineType, int targetPageBits, List<String> capabilities, UUID uuid) {}

    /** One section on the wire: {@code bytes} from its type byte through its footer. */
    public record Section(String type, int sectionId, String idstr, int instanceId, int version, long offset,
            long bytes, long payloadBytes) {}

    /** One QEMU_VM_COMMAND; {@code value} for PING and PACKAGED, {@code detail} where there is more. */
    public record CommandEntry(long offset, String command, int length, Long value, String detail) {}

    /** A device of the trailer, and what walking its FULL section found (-1 when no section was seen). */
    public static final class Device {
        final DeviceDescription description;
        int sectionId = -1;
        long offset = -1;
        long bytes = -1;
        long fields = -1;

        Device(DeviceDescription description) {
            this.description = description;
        }
    }

    final String file;
    final long fileSize;
    int magic;
    int version;
    Config config;
    final List<Section> sections = new ArrayList<>();
    final List<CommandEntry> commands = new ArrayList<>();
    final List<Device> devices = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    RamReader ram;
    BlockReader block;
    BitmapReader bitmaps;
    StattribReader stattrib;
    DiskListReader diskList;
    final Map<String, VfioReader> vfio = new LinkedHashMap<>();
    long eofOffset = -1;
    long trailerOffset = -1;
    long trailerBytes;

    InspectReport(String file, long fileSize) {
        this.file = file;
        this.fileSize = fileSize;
    }

    /** Sections per type name, in the order START, PART, END, FULL. */
    Map<String, Integer> sectionCounts() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String t : List.of("START", "PART", "END", "FULL")) {
            m.put(t, 0);
        }
        for (Section s : sections) {
            m.merge(s.type(), 1, Integer::sum);
        }
        return m;
    }

    public List<Section> sections() {
        return sections;
    }

    public List<CommandEntry> commands() {
        return commands;
    }

    public List<String> warnings() {
        return warnings;
    }

    /** RAM blocks in the order of the MEM_SIZE list; empty without a "ram" section. */
    public List<RamBlockStats> ramBlocks() {
        return ram == null ? List.of() : List.copyOf(ram.blocks().values());
    }

    public boolean eofSeen() {
        return eofOffset >= 0;
    }

    public boolean trailerPresent() {
        return trailerOffset >= 0;
    }
}

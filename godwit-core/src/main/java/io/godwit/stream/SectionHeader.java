package io.godwit.stream;

import static io.godwit.stream.StreamConstants.*;

/**
 * The header of a section. START and FULL carry the handler's idstr, instance id and version;
 * PART and END carry only the section id that START assigned.
 */
public record SectionHeader(int type, int sectionId, String idstr, int instanceId, int versionId)
        implements StreamRecord {

    public SectionHeader {
        if (type != SECTION_START && type != SECTION_PART && type != SECTION_END && type != SECTION_FULL) {
            throw new IllegalArgumentException("not a section type: " + sectionTypeName(type));
        }
        if (isStartOrFull() && idstr == null) {
            throw new IllegalArgumentException(sectionTypeName(type) + " needs an idstr");
        }
    }

    public static SectionHeader start(int sectionId, String idstr, int instanceId, int versionId) {
        return new SectionHeader(SECTION_START, sectionId, idstr, instanceId, versionId);
    }

    public static SectionHeader full(int sectionId, String idstr, int instanceId, int versionId) {
        return new SectionHeader(SECTION_FULL, sectionId, idstr, instanceId, versionId);
    }

    public static SectionHeader part(int sectionId) {
        return new SectionHeader(SECTION_PART, sectionId, null, 0, 0);
    }

    public static SectionHeader end(int sectionId) {
        return new SectionHeader(SECTION_END, sectionId, null, 0, 0);
    }

    public boolean isStartOrFull() {
        return type == SECTION_START || type == SECTION_FULL;
    }
}

package io.godwit.inspect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * The report as one JSON document (--json). Every key is always present, null or empty when the
 * stream has no such part, so scripts need no existence checks; docs/inspect.md lists them.
 */
public final class JsonReport {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {}

    public static String render(InspectReport r) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("file", r.file);
        root.put("file-size", r.fileSize);
        root.putObject("header").put("magic", String.format("0x%08x", r.magic)).put("version", r.version);
        root.set("configuration", configuration(r));
        ArrayNode sections = root.putArray("sections");
        for (InspectReport.Section s : r.sections) {
            sections.addObject().put("type", s.type()).put("section-id", s.sectionId()).put("idstr", s.idstr())
                    .put("instance-id", s.instanceId()).put("version", s.version()).put("offset", s.offset())
                    .put("bytes", s.bytes()).put("payload-bytes", s.payloadBytes());
        }
        root.set("ram", ram(r));
        ArrayNode commands = root.putArray("commands");
        for (InspectReport.CommandEntry c : r.commands) {
            commands.addObject().put("offset", c.offset()).put("command", c.command()).put("length", c.length())
                    .put("value", c.value()).put("detail", c.detail());
        }
        ArrayNode devices = root.putArray("devices");
        for (InspectReport.Device d : r.devices) {
            DeviceDescription dd = d.description;
            devices.addObject().put("name", dd.name()).put("instance-id", dd.instanceId())
                    .put("vmsd-name", dd.vmsdName()).put("version", dd.version() < 0 ? null : dd.version())
                    .put("section-id", d.sectionId < 0 ? null : d.sectionId)
                    .put("offset", d.offset < 0 ? null : d.offset).put("bytes", d.bytes < 0 ? null : d.bytes)
                    .put("fields", d.fields < 0 ? null : d.fields);
        }
        OtherSections.json(r, root);
        root.set("summary", summary(r));
        ArrayNode warnings = root.putArray("warnings");
        r.warnings.forEach(warnings::add);
        try {
            return MAPPER.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    private static ObjectNode configuration(InspectReport r) {
        if (r.config == null) {
            return null;
        }
        InspectReport.Config c = r.config;
        ObjectNode o = MAPPER.createObjectNode().put("offset", c.offset()).put("machine-type", c.machineType())
                .put("target-page-bits", c.targetPageBits() > 0 ? c.targetPageBits() : null);
        c.capabilities().forEach(o.putArray("capabilities")::add);
        return o.put("uuid", c.uuid() == null ? null : c.uuid().toString());
    }

    private static ObjectNode ram(InspectReport r) {
        if (r.ram == null) {
            return null;
        }
        ObjectNode o = MAPPER.createObjectNode().put("page-size", r.ram.pageSize());
        ArrayNode blocks = o.putArray("blocks");
        long normal = 0;
        long zero = 0;
        long distinct = 0;
        for (RamBlockStats b : r.ramBlocks()) {
            blocks.addObject().put("name", b.name()).put("length", b.length()).put("pages", b.pages())
                    .put("normal", b.normal()).put("zero", b.zero()).put("xbzrle", b.xbzrle())
                    .put("compressed", b.compressed()).put("distinct", b.distinct()).put("file", b.file());
            normal += b.normal();
            zero += b.zero();
            distinct += b.distinct();
        }
        return o.put("normal", normal).put("zero", zero).put("distinct", distinct);
    }

    private static ObjectNode summary(InspectReport r) {
        ObjectNode o = MAPPER.createObjectNode().put("sections", r.sections.size());
        ObjectNode types = o.putObject("section-types");
        for (Map.Entry<String, Integer> e : r.sectionCounts().entrySet()) {
            types.put(e.getKey(), e.getValue());
        }
        return o.put("commands", r.commands.size()).put("bytes", r.fileSize).put("eof", r.eofSeen())
                .put("eof-offset", r.eofSeen() ? r.eofOffset : null).put("trailer", r.trailerPresent())
                .put("trailer-offset", r.trailerPresent() ? r.trailerOffset : null)
                .put("trailer-bytes", r.trailerPresent() ? r.trailerBytes : null);
    }
}

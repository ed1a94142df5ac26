package io.godwit.inspect;

import java.io.PrintStream;
import java.util.Map;
import java.util.StringJoiner;

/** The report for people: one block per part of the stream, offsets in hex. */
public final class TextReport {
    private TextReport() {}

    /** Names from the stream are escaped where they do not print: each line of the report is one line. */
    public static void render(InspectReport r, PrintStream to) {
        PrintStream out = PrintableOut.of(to);
        out.printf("file           %s (%d bytes)%n", r.file, r.fileSize);
        out.printf("header         magic 0x%08x (QEVM), version %d%n", r.magic, r.version);
        if (r.config != null) {
            InspectReport.Config c = r.config;
            StringBuilder sb = new StringBuilder("machine type " + c.machineType());
            if (c.targetPageBits() > 0) {
                sb.append(", target page bits ").append(c.targetPageBits());
            }
            if (!c.capabilities().isEmpty()) {
                sb.append(", capabilities ").append(String.join(" ", c.capabilities()));
            }
            if (c.uuid() != null) {
                sb.append(", uuid ").append(c.uuid());
            }
            out.printf("configuration  %s (at %s)%n", sb, Hex.of(c.offset()));
        }
        sections(r, out);
        ram(r, out);
        commands(r, out);
        devices(r, out);
        OtherSections.text(r, out);
        summary(r, out);
        out.flush();
    }

    private static void sections(InspectReport r, PrintStream out) {
        out.println();
        out.println("sections");
        out.printf("  %-12s %-5s %4s  %-28s %4s %4s %12s%n", "offset", "type", "id", "idstr", "inst", "ver", "bytes");
        for (InspectReport.Section s : r.sections) {
            out.printf("  %-12s %-5s %4d  %-28s %4d %4d %12d%n", Hex.of(s.offset()), s.type(), s.sectionId(),
                    s.idstr(), s.instanceId(), s.version(), s.bytes());
        }
    }

    private static void ram(InspectReport r, PrintStream out) {
        if (r.ram == null) {
            return;
        }
        out.println();
        out.printf("ram blocks (page size %d)%n", r.ram.pageSize());
        out.printf("  %-28s %12s %9s %9s %9s %9s%n", "block", "length", "pages", "normal", "zero", "distinct");
        long normal = 0;
        long zero = 0;
        boolean other = false;
        for (RamBlockStats b : r.ramBlocks()) {
            out.printf("  %-28s %12s %9d %9d %9d %9d%n", b.name(), Hex.of(b.length()), b.pages(), b.normal(), b.zero(),
                    b.distinct());
            if (b.xbzrle() > 0 || b.compressed() > 0) {
                out.printf("  %-28s xbzrle %d, compressed %d%n", "", b.xbzrle(), b.compressed());
            }
            normal += b.normal();
            zero += b.zero();
            other |= b.file() != null;
        }
        out.printf("  %-28s %12s %9s %9d %9d%n", "total", "", "", normal, zero);
        if (other) {
            for (RamBlockStats b : r.ramBlocks()) {
                out.printf("  extracted %s -> %s%n", b.name(), b.file());
            }
        }
    }

    private static void commands(InspectReport r, PrintStream out) {
        if (r.commands.isEmpty()) {
            return;
        }
        out.println();
        out.println("commands");
        for (InspectReport.CommandEntry c : r.commands) {
            String extra = c.value() != null ? " " + c.value() : "";
            extra += c.detail() != null ? " (" + c.detail() + ")" : "";
            out.printf("  %-12s %s%s%n", Hex.of(c.offset()), c.command(), extra);
        }
    }

    private static void devices(InspectReport r, PrintStream out) {
        if (r.devices.isEmpty()) {
            return;
        }
        out.println();
        out.println("devices (from the trailer)");
        out.printf("  %-28s %4s  %-20s %4s %5s %-12s %8s %7s%n", "name", "inst", "vmsd", "ver", "id", "offset",
                "bytes", "fields");
        for (InspectReport.Device d : r.devices) {
            DeviceDescription dd = d.description;
            out.printf("  %-28s %4d  %-20s %4s %5s %-12s %8s %7s%n", dd.name(), dd.instanceId(),
                    dd.vmsdName() == null ? "(old style)" : dd.vmsdName(), dd.version() < 0 ? "-" : dd.version(),
                    d.sectionId < 0 ? "-" : d.sectionId, d.offset < 0 ? "not sent" : Hex.of(d.offset),
                    d.bytes < 0 ? "-" : d.bytes, d.fields < 0 ? "-" : d.fields);
        }
    }

    private static void summary(InspectReport r, PrintStream out) {
        out.println();
        StringJoiner types = new StringJoiner(", ");
        for (Map.Entry<String, Integer> e : r.sectionCounts().entrySet()) {
            types.add(e.getKey() + " " + e.getValue());
        }
        out.printf("summary        %d sections (%s), %d commands, %d bytes%n", r.sections.size(), types,
                r.commands.size(), r.fileSize);
        out.printf("               EOF %s, trailer %s%n", r.eofSeen() ? "at " + Hex.of(r.eofOffset) : "missing",
                r.trailerPresent() ? "at " + Hex.of(r.trailerOffset) + " (" + r.trailerBytes + " bytes, "
                        + r.devices.size() + " devices)" : "absent");
        for (String w : r.warnings) {
            out.println("warning: " + w);
        }
    }
}

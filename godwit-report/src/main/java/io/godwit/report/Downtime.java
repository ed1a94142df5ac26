package io.godwit.report;

import io.godwit.report.MigrationTrace.Part;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The downtime split by what it was spent on: each kind of handler's stop-copy sections (RAM, each
 * device, disks, bitmaps, storage attributes, others), and the rest: stopping the machine, the end
 * of the stream, and waiting until the destination has loaded everything and runs.
 */
final class Downtime {
    static final String REST = "stop, hand-over and destination load";

    private Downtime() {}

    /** Milliseconds per share, in the order the handlers wrote; the rest last. */
    static Map<String, Double> shares(MigrationTrace t) {
        Map<String, Double> m = new LinkedHashMap<>();
        double sum = 0;
        for (Part p : t.parts()) {
            m.merge(group(p.idstr()), p.durationMs(), Double::sum);
            sum += p.durationMs();
        }
        if (t.switchover() != null) {
            m.put(REST, Math.max(0, t.switchover().downtimeMs() - sum));
        }
        return m;
    }

    /** Bytes per share, as {@link #shares} groups them. */
    static Map<String, Long> bytes(MigrationTrace t) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Part p : t.parts()) {
            m.merge(group(p.idstr()), p.bytes(), Long::sum);
        }
        return m;
    }

    /** What a section's idstr stands for in the breakdown. */
    static String group(String idstr) {
        return switch (idstr) {
            case "ram" -> "RAM";
            case "block", "godwit/disks" -> "disks";
            case "dirty-bitmap" -> "dirty bitmaps";
            case "s390-storage_attributes" -> "storage attributes";
            default -> idstr.endsWith("/vfio") ? "device " + idstr.substring(0, idstr.length() - 5) : idstr;
        };
    }
}

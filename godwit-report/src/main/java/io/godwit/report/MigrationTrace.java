package io.godwit.report;

import java.util.List;
import java.util.Map;

/**
 * The source side of one recorded migration, as its events tell it. Times are milliseconds since
 * the migration's start (its change to setup, or the first event when the recording has none).
 *
 * @param pending    every pending figure (estimates and exact ones), in time order
 * @param passes     the passes over dirty memory, with the exact pending figure that preceded each
 * @param windows    the bandwidth windows (throughput and threshold)
 * @param settings   parameters and capabilities, the last ones recorded (QEMU's names)
 * @param switchover the switchover, or null when the migration did not reach it
 * @param parts      the handlers' shares of the stop-copy phase
 * @param devices    each device's last pending report (policy and the destination's load time)
 * @param states     the source's status changes
 * @param faults     post-copy page-fault latencies in microseconds (empty without post-copy)
 * @param truncated  true when the recording held more pending figures than a report keeps
 */
public record MigrationTrace(List<PendingSample> pending, List<PassSample> passes, List<WindowSample> windows,
        Map<String, String> settings, Switchover switchover, List<Part> parts, Map<String, DeviceSample> devices,
        List<StateSample> states, List<Long> faults, boolean truncated) {

    /** A pending report: the handlers' total, its split, and the threshold it was compared with. */
    public record PendingSample(double ms, boolean exact, long size, long mustPrecopy, long canPostcopy,
            long threshold) {}

    /**
     * A pass: RAM left after the dirty sync, bytes sent so far, the dirty rate (QEMU's, pages/s), and
     * the exact and last estimated pending figures that preceded it.
     */
    public record PassSample(double ms, long count, long ramRemaining, long transferred, long dirtyPagesRate,
            PendingSample exact, PendingSample lastEstimate) {}

    /** A bandwidth window: the throughput measured and the threshold derived from it. */
    public record WindowSample(double ms, long transferred, double bytesPerMs, long threshold) {}

    /** The switchover as the source measured it. */
    public record Switchover(double ms, long downtimeMs, long pending, long threshold, long downtimeBytes) {}

    /** One section written with the machine stopped. */
    public record Part(String idstr, int instanceId, String kind, long bytes, double durationMs) {}

    /** A device's last pending report. */
    public record DeviceSample(String device, String policy, long initialBytes, long dirtyBytes, long loadNanos) {}

    /** A change of the source's status. */
    public record StateSample(double ms, String from, String to) {}

    /** The status the migration ended in, or "unknown". */
    public String finalStatus() {
        return states.isEmpty() ? "unknown" : states.getLast().to();
    }

    /** The time of the last event of the migration, in ms since its start. */
    public double endMs() {
        double end = 0;
        for (StateSample s : states) {
            end = Math.max(end, s.ms());
        }
        if (!pending.isEmpty()) {
            end = Math.max(end, pending.getLast().ms());
        }
        return end;
    }
}

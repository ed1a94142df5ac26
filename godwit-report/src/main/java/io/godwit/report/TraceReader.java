package io.godwit.report;

import io.godwit.report.MigrationTrace.DeviceSample;
import io.godwit.report.MigrationTrace.Part;
import io.godwit.report.MigrationTrace.PassSample;
import io.godwit.report.MigrationTrace.PendingSample;
import io.godwit.report.MigrationTrace.StateSample;
import io.godwit.report.MigrationTrace.Switchover;
import io.godwit.report.MigrationTrace.WindowSample;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads the Godwit events of a JFR recording into a {@link MigrationTrace}: the last migration of
 * the source side that the recording holds. The file is untrusted: JFR's parser checks its frames,
 * and no more than {@link #MAX_EVENTS} events are kept, so a huge recording cannot exhaust memory.
 */
public final class TraceReader {
    /** The most Godwit events a report keeps; more are counted and dropped. */
    public static final int MAX_EVENTS = 2_000_000;
    /** Post-copy page faults, if the engine records them: the event's duration is the fault's latency. */
    public static final String POSTCOPY_FAULT = "godwit.PostcopyFault";

    private TraceReader() {}

    /** Reads {@code file}; a file that is not a readable JFR recording is one line of IOException. */
    public static MigrationTrace read(Path file) throws IOException {
        return read(file, null);
    }

    /**
     * Reads the source's recording {@code file} and, when not null, the post-copy page waits of
     * the destination's recording {@code destination} (they happen in the destination's process).
     */
    public static MigrationTrace read(Path file, Path destination) throws IOException {
        List<RecordedEvent> events = new ArrayList<>();
        boolean truncated = load(file, name -> name.startsWith("godwit."), events);
        List<RecordedEvent> faults = new ArrayList<>();
        if (destination != null) {
            truncated |= load(destination, POSTCOPY_FAULT::equals, faults);
        }
        events.sort(Comparator.comparing(RecordedEvent::getStartTime));
        List<RecordedEvent> migration = new ArrayList<>(lastMigration(events));
        migration.addAll(faults);
        return build(migration, truncated);
    }

    /** Adds the events of {@code file} whose type name {@code wanted} takes; true when some were left out. */
    private static boolean load(Path file, java.util.function.Predicate<String> wanted, List<RecordedEvent> events)
            throws IOException {
        boolean truncated = false;
        try (RecordingFile rf = new RecordingFile(file)) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                if (!wanted.test(e.getEventType().getName())) {
                    continue;
                }
                if (events.size() >= MAX_EVENTS) {
                    truncated = true;
                    continue;
                }
                events.add(e);
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not a readable JFR recording (" + e.getMessage() + ")", e);
        }
        return truncated;
    }

    /** The events from the last change of the source to setup on (all of them if there is none). */
    static List<RecordedEvent> lastMigration(List<RecordedEvent> events) {
        for (int i = events.size() - 1; i >= 0; i--) {
            RecordedEvent e = events.get(i);
            if (is(e, "godwit.StateChange") && "source".equals(e.getString("side")) && "setup".equals(e.getString("to"))) {
                int from = i;
                while (from > 0 && is(events.get(from - 1), "godwit.Settings")) {
                    from--; // the settings are committed just before the change to setup
                }
                return events.subList(from, events.size());
            }
        }
        return events;
    }

    private static MigrationTrace build(List<RecordedEvent> events, boolean truncated) {
        Instant t0 = events.isEmpty() ? Instant.EPOCH : events.getFirst().getStartTime();
        List<PendingSample> pending = new ArrayList<>();
        List<PassSample> passes = new ArrayList<>();
        List<WindowSample> windows = new ArrayList<>();
        Map<String, String> settings = new LinkedHashMap<>();
        List<Part> parts = new ArrayList<>();
        Map<String, DeviceSample> devices = new TreeMap<>();
        List<StateSample> states = new ArrayList<>();
        List<Long> faults = new ArrayList<>();
        Switchover switchover = null;
        PendingSample lastExact = null;
        PendingSample lastEstimate = null;
        for (RecordedEvent e : events) {
            double ms = Duration.between(t0, e.getStartTime()).toNanos() / 1e6;
            switch (e.getEventType().getName()) {
                case "godwit.Pending" -> {
                    PendingSample p = new PendingSample(ms, e.getBoolean("exact"), e.getLong("size"),
                            e.getLong("mustPrecopy"), e.getLong("canPostcopy"), e.getLong("thresholdSize"));
                    pending.add(p);
                    if (p.exact()) {
                        lastExact = p;
                    } else {
                        lastEstimate = p;
                    }
                }
                case "godwit.Pass" -> {
                    passes.add(new PassSample(ms, e.getLong("dirtySyncCount"), e.getLong("remaining"),
                            e.getLong("transferred"), longOr(e, "dirtyPagesRate"), lastExact, lastEstimate));
                    lastExact = null; // an exact figure belongs to the one pass it preceded
                }
                case "godwit.Bandwidth" -> windows.add(new WindowSample(ms, e.getLong("transferred"),
                        e.getDouble("bytesPerMs"), e.getLong("thresholdSize")));
                case "godwit.Settings" -> {
                    settings.clear();
                    settings.put("parameters", e.getString("parameters"));
                    settings.put("capabilities", e.getString("capabilities"));
                }
                case "godwit.SwitchoverPart" -> parts.add(new Part(e.getString("idstr"), e.getInt("instanceId"),
                        e.getString("kind"), e.getLong("bytes"), e.getDuration().toNanos() / 1e6));
                case "godwit.Switchover" -> switchover = new Switchover(ms, e.getLong("downtimeMs"),
                        e.getLong("pending"), e.getLong("thresholdSize"), e.getLong("downtimeBytes"));
                case "godwit.DevicePending" -> devices.put(e.getString("device"), new DeviceSample(
                        e.getString("device"), e.getString("policy"), e.getLong("initialBytes"),
                        e.getLong("dirtyBytes"), e.getLong("loadNanos")));
                case "godwit.StateChange" -> {
                    if ("source".equals(e.getString("side"))) {
                        states.add(new StateSample(ms, e.getString("from"), e.getString("to")));
                    }
                }
                case POSTCOPY_FAULT -> faults.add(e.hasField("latencyUs") ? e.getLong("latencyUs")
                        : e.getDuration().toNanos() / 1000);
                default -> { } // events of other parts of Godwit are not charted
            }
        }
        return new MigrationTrace(pending, passes, windows, settings, switchover, parts, devices, states, faults,
                truncated);
    }

    private static boolean is(RecordedEvent e, String name) {
        return e.getEventType().getName().equals(name);
    }

    // Recordings made before a field existed still read, with 0 for it.
    private static long longOr(RecordedEvent e, String field) {
        return e.hasField(field) ? e.getLong(field) : 0;
    }
}

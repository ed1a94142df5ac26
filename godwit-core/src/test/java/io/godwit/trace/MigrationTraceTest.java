package io.godwit.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.godwit.migration.LoopRig;
import io.godwit.migration.Migration;
import io.godwit.migration.MigrationStatus;
import io.godwit.migration.ScriptedHandler;
import io.godwit.migration.ScriptedHandler.Call;
import io.godwit.migration.ScriptedHandler.Kind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JFR events of a migration, recorded while it runs on virtual time and read back from the
 * dumped file: what the handlers reported and the threshold it was compared with (godwit.Pending),
 * each status change, each pass, each closed bandwidth window and the switchover.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MigrationTraceTest {
    static final long T = 300_000; // avail-switchover-bandwidth 1,000,000 B/s x downtime-limit 300 ms
    static final long POSTCOPY = 1_000; // reported by the second handler as can-postcopy
    static final String[] EVENTS = {"godwit.Pending", "godwit.Pass", "godwit.StateChange", "godwit.Switchover",
            "godwit.Bandwidth"};

    @TempDir
    Path dir;

    @Test
    void aMigrationLeavesItsStoryInTheFlightRecorder() throws IOException {
        List<RecordedEvent> events;
        ScriptedHandler a;
        ScriptedHandler b;
        Migration m;
        try (Recording recording = new Recording(); LoopRig rig = new LoopRig(4_096_000)) {
            for (String name : EVENTS) {
                recording.enable(name).withoutThreshold();
            }
            a = rig.handler("a").iterateBytes(4096 - ScriptedHandler.PART_FRAMING).countPasses()
                    .estimate((i, t) -> (i < 150 ? T + 1 : T - 1) - POSTCOPY)
                    .exact((i, t) -> (i < 155 ? T + 2 : T - 1) - POSTCOPY);
            b = rig.handler("b").iterateBytes(0).reportAsPostcopy().estimate((i, t) -> POSTCOPY);
            m = rig.migration(LoopRig.params(300, 0, 1_000_000));
            recording.start();
            m.run();
            recording.stop();
            Path file = dir.resolve("migration.jfr");
            recording.dump(file);
            events = RecordingFile.readAllEvents(file).stream()
                    .sorted(Comparator.comparing(RecordedEvent::getStartTime))
                    .toList();
        }
        assertThat(m.status()).isEqualTo(MigrationStatus.COMPLETED);
        assertThat(a.completedAt()).isEqualTo(155);

        List<RecordedEvent> estimates = named(events, "godwit.Pending").stream()
                .filter(e -> !e.getBoolean("exact")).toList();
        List<Call> calls = a.calls(Kind.ESTIMATE);
        assertThat(estimates).hasSize(155);
        for (int i = 0; i < estimates.size(); i++) {
            RecordedEvent e = estimates.get(i);
            assertThat(e.getLong("size")).isEqualTo(calls.get(i).reported() + POSTCOPY);
            assertThat(e.getLong("mustPrecopy")).isEqualTo(calls.get(i).reported());
            assertThat(e.getLong("canPostcopy")).isEqualTo(POSTCOPY);
            assertThat(e.getLong("thresholdSize")).isEqualTo(calls.get(i).thresholdSize());
        }
        assertThat(estimates.get(149).getLong("thresholdSize")).isEqualTo(T);

        List<RecordedEvent> exacts = named(events, "godwit.Pending").stream()
                .filter(e -> e.getBoolean("exact")).toList();
        assertThat(exacts).hasSize(6);
        assertThat(exacts.stream().map(e -> e.getLong("size")))
                .containsExactly(T + 2, T + 2, T + 2, T + 2, T + 2, T - 1);
        assertThat(exacts).allSatisfy(e -> assertThat(e.getLong("thresholdSize")).isEqualTo(T));

        assertThat(named(events, "godwit.StateChange").stream()
                .map(e -> e.getString("side") + ":" + e.getString("from") + "->" + e.getString("to")))
                .containsExactly("source:none->setup", "source:setup->active", "source:active->device",
                        "source:device->completed");

        assertThat(named(events, "godwit.Pass").stream().map(e -> e.getLong("dirtySyncCount")))
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 6).mapToObj(i -> (long) i).toList());

        List<RecordedEvent> windows = named(events, "godwit.Bandwidth");
        assertThat(windows).hasSize(1); // 155 iterations of 1 ms: one window closed
        RecordedEvent w = windows.getFirst();
        assertThat(w.getLong("thresholdSize")).isEqualTo(T);
        assertThat(w.getLong("timeSpentMs")).isEqualTo(100);
        assertThat(w.getDouble("bytesPerMs")).isCloseTo(4096.0, within(4096.0 * 0.02));

        List<RecordedEvent> switchovers = named(events, "godwit.Switchover");
        assertThat(switchovers).hasSize(1);
        RecordedEvent s = switchovers.getFirst();
        assertThat(s.getLong("pending")).isEqualTo(T - 1);
        assertThat(s.getLong("thresholdSize")).isEqualTo(T);
        assertThat(s.getLong("downtimeBytes")).isEqualTo(m.info().ram().downtimeBytes()).isPositive();
        assertThat(s.getLong("downtimeMs")).isEqualTo(m.info().downtimeMs());
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }
}

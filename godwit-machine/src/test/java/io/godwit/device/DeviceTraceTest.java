package io.godwit.device;

import io.godwit.reference.device.SyntheticDevice;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.machine.Machine;
import io.godwit.machine.RunState;
import io.godwit.options.Capabilities;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JFR events of devices: godwit.DeviceState for every state change of a machine's device,
 * godwit.DevicePending for every pending report, with what the policy made of it.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DeviceTraceTest {
    static final int BLOCK = 4096;
    static final long T = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void stateChangesAndPendingReportsAreRecorded() throws IOException {
        List<RecordedEvent> events;
        try (Recording recording = new Recording(); Machine machine = new Machine("traced")) {
            recording.enable("godwit.DeviceState").withoutThreshold();
            recording.enable("godwit.DevicePending").withoutThreshold();
            SyntheticDevice costly = new SyntheticDevice("trace-costly", 16L * BLOCK, 0, 1_000_000_000L, true, 1);
            SyntheticDevice held = new SyntheticDevice("trace-held", 8L * BLOCK, 0, 0, false, 2);
            DeviceSource a = new DeviceSource(machine.addDevice(costly, PendingPolicy.COST_AWARE), Capabilities.defaults());
            DeviceSource b = new DeviceSource(machine.addDevice(held, PendingPolicy.THRESHOLD), Capabilities.defaults());

            recording.start();
            machine.start();
            a.setup();
            b.setup();
            a.exact(T);
            b.estimate(T);
            machine.stop(RunState.FINISH_MIGRATE);
            machine.start();
            recording.stop();
            Path file = dir.resolve("devices.jfr");
            recording.dump(file);
            events = RecordingFile.readAllEvents(file).stream()
                    .sorted(Comparator.comparing(RecordedEvent::getStartTime)).toList();
        }

        assertThat(named(events, "godwit.DeviceState").stream()
                .filter(e -> e.getString("device").startsWith("trace-"))
                .map(e -> e.getString("device") + ":" + e.getString("from") + "->" + e.getString("to")))
                .containsExactly(
                        "trace-costly:RUNNING->PRE_COPY",
                        "trace-held:RUNNING->PRE_COPY",
                        "trace-costly:PRE_COPY->PRE_COPY_P2P",
                        "trace-costly:PRE_COPY_P2P->STOP_COPY",
                        "trace-held:PRE_COPY->STOP_COPY",
                        "trace-costly:STOP_COPY->STOP",
                        "trace-costly:STOP->RUNNING_P2P",
                        "trace-costly:RUNNING_P2P->RUNNING",
                        "trace-held:STOP_COPY->STOP",
                        "trace-held:STOP->RUNNING");

        List<RecordedEvent> pending = named(events, "godwit.DevicePending").stream()
                .filter(e -> e.getString("device").startsWith("trace-")).toList();
        assertThat(pending).hasSize(2);
        RecordedEvent costlyReport = pending.get(0);
        assertThat(costlyReport.getString("device")).isEqualTo("trace-costly");
        assertThat(costlyReport.getString("policy")).isEqualTo("cost-aware");
        assertThat(costlyReport.getBoolean("exact")).isTrue();
        assertThat(costlyReport.getLong("initialBytes")).isEqualTo(16L * BLOCK);
        assertThat(costlyReport.getLong("dirtyBytes")).isZero();
        assertThat(costlyReport.getLong("mustPrecopy")).isEqualTo(16L * BLOCK);
        assertThat(costlyReport.getLong("loadNanos")).isEqualTo(16L * BLOCK); // one byte a nanosecond
        assertThat(costlyReport.getLong("thresholdSize")).isEqualTo(T);

        RecordedEvent heldReport = pending.get(1);
        assertThat(heldReport.getString("device")).isEqualTo("trace-held");
        assertThat(heldReport.getString("policy")).isEqualTo("threshold");
        assertThat(heldReport.getBoolean("exact")).isFalse();
        assertThat(heldReport.getLong("initialBytes")).isEqualTo(8L * BLOCK);
        assertThat(heldReport.getLong("dirtyBytes")).isZero();
        assertThat(heldReport.getLong("mustPrecopy")).isEqualTo(T + 1);
        assertThat(heldReport.getLong("loadNanos")).isZero();
        assertThat(heldReport.getLong("thresholdSize")).isEqualTo(T);
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }
}

package io.godwit.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.godwit.report.MigrationTrace.PassSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader's figures are the recording's: each one compared with the raw JFR events. */
class TraceReaderTest {
    @TempDir
    static Path dir;
    static Path jfr;
    static MigrationTrace trace;

    @BeforeAll
    static void recordAMigration() throws Exception {
        jfr = dir.resolve("migration.jfr");
        assertThat(RecordedMigration.record(jfr)).as("the recorded migration completes").isTrue();
        trace = TraceReader.read(jfr);
    }

    @Test
    void passesAreTheRecordedPasses() throws Exception {
        List<RecordedEvent> raw = RecordedMigration.events(jfr, "godwit.Pass");
        assertThat(raw).hasSizeGreaterThanOrEqualTo(2); // the setup's sync and the stop-copy's
        assertThat(trace.passes()).hasSameSizeAs(raw);
        for (int i = 0; i < raw.size(); i++) {
            PassSample p = trace.passes().get(i);
            assertThat(p.count()).isEqualTo(raw.get(i).getLong("dirtySyncCount"));
            assertThat(p.ramRemaining()).isEqualTo(raw.get(i).getLong("remaining"));
            assertThat(p.transferred()).isEqualTo(raw.get(i).getLong("transferred"));
            assertThat(p.dirtyPagesRate()).isEqualTo(raw.get(i).getLong("dirtyPagesRate"));
        }
    }

    @Test
    void pendingFiguresAreTheRecordedOnesAndExactOnesPrecedeTheirPass() throws Exception {
        List<RecordedEvent> raw = RecordedMigration.events(jfr, "godwit.Pending");
        assertThat(trace.pending()).hasSameSizeAs(raw);
        for (int i = 0; i < raw.size(); i++) {
            assertThat(trace.pending().get(i).size()).isEqualTo(raw.get(i).getLong("size"));
            assertThat(trace.pending().get(i).exact()).isEqualTo(raw.get(i).getBoolean("exact"));
            assertThat(trace.pending().get(i).threshold()).isEqualTo(raw.get(i).getLong("thresholdSize"));
        }
        long exactOnes = raw.stream().filter(e -> e.getBoolean("exact")).count();
        assertThat(exactOnes).as("the loop asked for an exact figure before switching").isPositive();
        for (PassSample p : trace.passes()) {
            if (p.exact() != null) {
                assertThat(p.exact().ms()).isLessThanOrEqualTo(p.ms());
            }
        }
        assertThat(trace.passes().stream().filter(p -> p.exact() != null).count())
                .as("every exact figure is attached to the pass its sync made").isEqualTo(exactOnes);
    }

    @Test
    void switchoverAndItsPartsAreTheRecordedOnes() throws Exception {
        RecordedEvent sw = RecordedMigration.events(jfr, "godwit.Switchover").getLast();
        assertThat(trace.switchover().downtimeMs()).isEqualTo(sw.getLong("downtimeMs"));
        assertThat(trace.switchover().downtimeBytes()).isEqualTo(sw.getLong("downtimeBytes"));
        List<RecordedEvent> parts = RecordedMigration.events(jfr, "godwit.SwitchoverPart");
        assertThat(trace.parts()).extracting(MigrationTrace.Part::idstr)
                .containsExactlyElementsOf(parts.stream().map(e -> e.getString("idstr")).toList())
                .contains("ram", "dev0/vfio");
        var shares = Downtime.shares(trace);
        assertThat(shares).containsKeys("RAM", "device dev0", Downtime.REST);
        double partsMs = trace.parts().stream().mapToDouble(MigrationTrace.Part::durationMs).sum();
        if (partsMs <= sw.getLong("downtimeMs")) { // the parts lie within the downtime, the rest fills it up
            assertThat(shares.values().stream().mapToDouble(Double::doubleValue).sum())
                    .isCloseTo(sw.getLong("downtimeMs"), org.assertj.core.data.Offset.offset(0.001));
        }
    }

    @Test
    void devicesSettingsAndStatusAreTheRecordedOnes() throws Exception {
        RecordedEvent dev = RecordedMigration.events(jfr, "godwit.DevicePending").getLast();
        assertThat(trace.devices()).containsOnlyKeys("dev0");
        assertThat(trace.devices().get("dev0").policy()).isEqualTo("cost-aware");
        assertThat(trace.devices().get("dev0").loadNanos()).isEqualTo(dev.getLong("loadNanos"));
        assertThat(trace.settings().get("parameters"))
                .contains("downtime-limit=" + RecordedMigration.DOWNTIME_LIMIT_MS)
                .contains("max-bandwidth=" + RecordedMigration.MAX_BANDWIDTH);
        assertThat(trace.settings().get("capabilities")).contains("return-path");
        assertThat(trace.finalStatus()).isEqualTo("completed");
        assertThat(trace.faults()).isEmpty();
    }

    @Test
    void refusesAFileThatIsNotARecording() throws Exception {
        Path junk = dir.resolve("junk.jfr");
        Files.write(junk, "FLR\0 not really a recording".getBytes());
        assertThatThrownBy(() -> TraceReader.read(junk)).isInstanceOf(IOException.class)
                .hasMessageContaining("junk.jfr: not a readable JFR recording").hasMessageNotContaining("\n");
    }
}

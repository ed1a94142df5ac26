package io.godwit.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.monitor.Monitor;
import io.godwit.ram.RamBlock;
import io.godwit.reference.workload.RandomWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** calc-dirty-rate and query-dirty-rate over QMP, on a machine with a paced random writer. */
class DirtyRateQmpTest {
    private static final long RATE = 64L << 20;

    @TempDir
    Path dir;

    private Machine machine;
    private Monitor monitor;
    private QmpServer server;
    private QmpClient client;

    @BeforeEach
    void start() throws Exception {
        machine = new Machine("src");
        // 2 GiB, written up front (no first-touch faults pace the writer): a 2 s window dirties 6%
        // of it, so few pages are written twice in it (the rate counts each page once)
        RamBlock ram = machine.addRam("pc.ram", 2L << 30, true);
        machine.addWorkload(new RandomWriter(RATE, 7));
        machine.start();
        awaitWriterRunning(ram);
        server = new QmpServer(() -> {});
        monitor = new Monitor(machine, Clock.system(), server::emit);
        Path socket = dir.resolve("m.qmp");
        server.listen("unix:" + socket, monitor);
        client = QmpClient.connect("unix:" + socket);
    }

    /** The writer has dirtied a second's worth of pages: it is past its start-up. */
    private static void awaitWriterRunning(RamBlock ram) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (marked(ram) < RATE / 4096) {
            assertThat(System.nanoTime()).as("the writer started").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static long marked(RamBlock ram) {
        long n = 0;
        for (int w = 0; w < ram.dirtyBitmap().wordCount(); w++) {
            n += Long.bitCount(ram.dirtyBitmap().word(w));
        }
        return n;
    }

    /** Pages the writer has written so far (a page written twice counts twice). */
    private long pagesWritten() {
        return machine.throttle().vcpus().stream().mapToLong(v -> v.pagesWritten()).sum();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
        monitor.close();
        machine.close();
    }

    private JsonNode awaitMeasured() throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            JsonNode r = client.execute("query-dirty-rate");
            if (r.path("status").asText().equals("measured")) {
                return r;
            }
            assertThat(System.nanoTime()).as("measured within a minute; last %s", r).isLessThan(deadline);
            monitor.dirtyRateMeter().await(Duration.ofMillis(200)); // wakes when measured
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"page-sampling", "dirty-bitmap"})
    void measuresTheWritersRateWithinTenPercent(String mode) throws Exception {
        Map<String, Object> args = mode.equals("page-sampling")
                ? Map.of("calc-time", 2, "sample-pages", 16384, "mode", mode)
                : Map.of("calc-time", 2, "mode", mode);
        long before = pagesWritten();
        long t0 = System.nanoTime();
        client.execute("calc-dirty-rate", args);
        JsonNode measuring = client.execute("query-dirty-rate");
        assertThat(measuring.path("status").asText()).isIn("measuring", "measured");
        JsonNode r = awaitMeasured();
        double bracket = (System.nanoTime() - t0) / 1e9;
        double written = (pagesWritten() - before) * 4096.0 / (1 << 20); // MiB, in a span holding the 2 s
        // the writer's own count brackets the window: at most all of it fell in the window, at least
        // all but what the writer (at most 64 MiB/s) can write in the span's excess
        double most = Math.min(written / 2, RATE >> 20);
        double least = Math.max(0, written - (RATE >> 20) * (bracket - 2)) / 2;
        assertThat(r.path("dirty-rate").asDouble()).as("written %.1f MiB in %.2f s", written, bracket)
                .isPositive().isBetween(least * 0.9, most * 1.1);
        assertThat(r.path("mode").asText()).isEqualTo(mode);
        assertThat(r.path("calc-time").asLong()).isEqualTo(2);
        assertThat(r.path("sample-pages").asLong()).isEqualTo(mode.equals("page-sampling") ? 16384 : 0);
        assertThat(r.path("start-time").asLong()).isPositive();
    }

    @Test
    void millisecondUnitIsTakenAndShown() throws Exception {
        client.execute("calc-dirty-rate", Map.of("calc-time", 300, "calc-time-unit", "millisecond",
                "mode", "dirty-bitmap"));
        awaitMeasured();
        JsonNode r = client.execute("query-dirty-rate", Map.of("calc-time-unit", "millisecond"));
        assertThat(r.path("calc-time").asLong()).isBetween(300L, 3000L);
        assertThat(r.path("calc-time-unit").asText()).isEqualTo("millisecond");
        assertThat(r.path("dirty-rate").asLong()).isPositive();
    }

    @Test
    void refusesDirtyRingOutOfRangeAndASecondMeasurement() throws Exception {
        assertThatThrownBy(() -> client.execute("calc-dirty-rate", Map.of("calc-time", 1, "mode", "dirty-ring")))
                .hasMessageContaining("dirty-ring is not enabled");
        assertThatThrownBy(() -> client.execute("calc-dirty-rate", Map.of("calc-time", 61)))
                .hasMessageContaining("Calculation time is out of range [50ms, 60000ms]");
        assertThatThrownBy(() -> client.execute("calc-dirty-rate", Map.of("calc-time", 1, "sample-pages", 100)))
                .hasMessageContaining("sample-pages is out of range[128, 16384]");
        assertThatThrownBy(() -> client.execute("calc-dirty-rate",
                Map.of("calc-time", 1, "sample-pages", 512, "mode", "dirty-bitmap")))
                .hasMessageContaining("sample-pages is used only in page-sampling mode");
        assertThatThrownBy(() -> client.execute("calc-dirty-rate", Map.of("calc-time", 1, "mode", "fast")))
                .hasMessageContaining("does not accept value 'fast'");
        assertThat(client.execute("query-dirty-rate").path("status").asText()).isEqualTo("unstarted");
        client.execute("calc-dirty-rate", Map.of("calc-time", 5));
        assertThatThrownBy(() -> client.execute("calc-dirty-rate", Map.of("calc-time", 1)))
                .hasMessageContaining("already being measured");
        // the QMP thread was not held: this reply came while measuring
        assertThat(client.execute("query-dirty-rate").path("status").asText()).isEqualTo("measuring");
        awaitMeasured();
    }
}

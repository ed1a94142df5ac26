package io.godwit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.launch.GodwitProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** godwit plan against a running machine: it measures, and its verdict follows the link's rate. */
class PlanCommandTest {
    @TempDir
    Path dir;

    @Test
    void predictsConvergenceOnAFastLinkAndSuggestsWhatWouldOnASlowOne() throws Exception {
        try (GodwitProcess src = Main.LAUNCHER.start(dir, "src", List.of("--ram", "256M", "--prealloc",
                "--workload", "random:32M"), Duration.ofMinutes(1))) {
            String qmp = src.qmpAddress();
            CliRun fast = CliRun.run("plan", "--qmp", qmp, "--bandwidth", "256M", "--windows", "250,500,1000", "--json");
            assertThat(fast.exit()).as(fast.err()).isZero();
            JsonNode f = Json.MAPPER.readTree(fast.out());
            assertThat(f.path("converges").asBoolean()).isTrue();
            assertThat(f.path("passes").asInt()).isGreaterThanOrEqualTo(3);
            assertThat(f.path("total-time-ms").asLong()).isGreaterThan(1000); // 256 MiB at 256 MiB/s, at least
            assertThat(f.path("downtime-ms").asLong()).isPositive();
            assertThat(f.path("suggestions")).isEmpty();
            // the 32 MiB/s writer as measured, over each window (dirty-bitmap counts exactly; a page
            // written twice in a window counts once, a few percent at 1 s over 256 MiB)
            for (JsonNode w : f.path("working-set")) {
                assertThat(w.path("dirty-rate").asDouble() / (32 << 20)).as("%s", w).isBetween(0.8, 1.1);
            }

            CliRun slow = CliRun.run("plan", "--qmp", qmp, "--bandwidth", "16M", "--windows", "250,500,1000",
                    "--json", "--horizon", "120");
            assertThat(slow.exit()).as(slow.err()).isZero();
            JsonNode s = Json.MAPPER.readTree(slow.out());
            assertThat(s.path("converges").asBoolean()).isFalse();
            assertThat(s.path("suggestions").findValuesAsText("kind")).contains("max-bandwidth", "auto-converge",
                    "dirty-limit", "postcopy");
            for (JsonNode x : s.path("suggestions")) { // auto-converge's throttle may not get there in time
                assertThat(x.path("converges").asBoolean() || x.path("kind").asText().equals("auto-converge"))
                        .as("%s", x).isTrue();
            }
            JsonNode bw = s.path("suggestions").findParents("kind").stream()
                    .filter(x -> x.path("kind").asText().equals("max-bandwidth")).findFirst().orElseThrow();
            assertThat(bw.path("settings").path("max-bandwidth").asLong()).isGreaterThan(16L << 20);

            CliRun text = CliRun.run("plan", "--qmp", qmp, "--bandwidth", "16M", "--windows", "250");
            assertThat(text.out()).contains("pre-copy does not converge").contains("what would converge:");
        }
    }

    @Test
    void refusesAnUnlimitedLinkWithoutABandwidth() throws Exception {
        try (GodwitProcess src = Main.LAUNCHER.start(dir, "src", List.of("--ram", "32M"), Duration.ofMinutes(1))) {
            src.qmp().execute("migrate-set-parameters", java.util.Map.of("max-bandwidth", 0));
            CliRun r = CliRun.run("plan", "--qmp", src.qmpAddress(), "--windows", "100");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("max-bandwidth is 0 (unlimited)");
        }
    }
}

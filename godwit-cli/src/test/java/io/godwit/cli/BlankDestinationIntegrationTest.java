package io.godwit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.launch.GodwitProcess;
import io.godwit.qmp.QmpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blank `godwit run --incoming` process refuses a source larger than its --max-ram, stays
 * stopped and blank, and takes the next source after another migrate-incoming.
 */
class BlankDestinationIntegrationTest {
    private static final Duration START = Duration.ofMinutes(1);

    @TempDir
    Path dir;

    private GodwitProcess source(String name, String ram) throws Exception {
        return Main.LAUNCHER.start(dir, name, List.of("--ram", ram, "--fill", "random", "--seed", name.length() + ""),
                START);
    }

    private static JsonNode finished(QmpClient c) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        JsonNode m;
        while (!ClientCommands.isTerminal((m = c.execute("query-migrate")).path("status").asText())) {
            assertThat(System.nanoTime() - deadline).as("the migration ends in time: %s", m).isNegative();
            Thread.sleep(20);
        }
        return m;
    }

    private static String migrate(GodwitProcess src, String uri) throws Exception {
        src.qmp().execute("migrate-set-capabilities", Map.of("capabilities",
                List.of(Map.of("capability", "return-path", "state", true))));
        src.qmp().execute("migrate", Map.of("uri", uri));
        return finished(src.qmp()).path("status").asText();
    }

    @Test
    void refusesASourceOverItsRamLimitThenTakesTheNextOne() throws Exception {
        try (GodwitProcess dst = Main.LAUNCHER.start(dir, "dst", List.of("--incoming", "tcp:127.0.0.1:0",
                "--max-ram", "2M"), START);
                GodwitProcess big = source("big", "4M")) {
            assertThat(migrate(big, dst.incomingUri())).isEqualTo("failed");
            assertThat(big.qmp().execute("query-status").path("status").asText()).isEqualTo("running");
            JsonNode refused = finished(dst.qmp());
            assertThat(refused.path("status").asText()).isEqualTo("failed");
            assertThat(refused.path("error-desc").asText()).contains("RAM block 'pc.ram' of 4194304 bytes")
                    .contains("over its limit of 2097152 bytes (godwit run --max-ram)");
            assertThat(dst.qmp().execute("query-status").path("status").asText()).isEqualTo("inmigrate");

            dst.qmp().execute("migrate-incoming", Map.of("uri", "tcp:127.0.0.1:0"));
            try (GodwitProcess small = source("small", "1M")) {
                assertThat(migrate(small, dst.incomingUri())).isEqualTo("completed");
                assertThat(finished(dst.qmp()).path("status").asText()).isEqualTo("completed");
                assertThat(dst.qmp().execute("query-status").path("status").asText()).isEqualTo("running");
                assertThat(dst.qmp().execute("x-query-digest").path("digest").asText())
                        .isEqualTo(small.qmp().execute("x-query-digest").path("digest").asText());
            }
        }
    }
}

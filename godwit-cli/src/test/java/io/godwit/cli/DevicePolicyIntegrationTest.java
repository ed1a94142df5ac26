package io.godwit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.launch.GodwitProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A machine with a key-value device under writes and RAM under the a-b writer migrates between
 * two processes with each pending policy; the destination's table equals the source's at
 * switchover and the a-b check holds.
 */
class DevicePolicyIntegrationTest {
    private static final Duration START = Duration.ofMinutes(1);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"legacy", "threshold", "switchover-ack", "cost-aware"})
    void keyValueDeviceArrivesEqualUnderWrites(String policy) throws Exception {
        String device = "kv,id=kv0,keys=20000,value-size=200,policy=" + policy;
        List<Map<String, Object>> caps = new ArrayList<>(List.of(Map.of("capability", "return-path", "state", true)));
        if (policy.equals("switchover-ack")) {
            caps.add(Map.of("capability", "switchover-ack", "state", true));
        }
        try (GodwitProcess dst = Main.LAUNCHER.start(dir, "dst", List.of("--ram", "64M", "--device", device,
                        "--incoming", "tcp:127.0.0.1:0"), START);
                GodwitProcess src = Main.LAUNCHER.start(dir, "src", List.of("--ram", "64M", "--device", device,
                        "--workload", "ab:64M", "--workload", "kv:20000"), START)) {
            dst.qmp().execute("migrate-set-capabilities", Map.of("capabilities", caps));
            src.qmp().execute("migrate-set-capabilities", Map.of("capabilities", caps));
            src.qmp().execute("migrate-set-parameters", Map.of("max-bandwidth", 0, "downtime-limit", 300));
            src.qmp().execute("migrate", Map.of("uri", dst.incomingUri()));
            JsonNode m;
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            do {
                m = src.qmp().execute("query-migrate");
                assertThat(System.nanoTime()).as("migration finished in time: %s", m).isLessThan(deadline);
                Thread.sleep(50);
            } while (!ClientCommands.isTerminal(m.path("status").asText()));

            assertThat(m.path("status").asText()).as(m.toString()).isEqualTo("completed");
            JsonNode dev = m.path("devices").path(0);
            assertThat(dev.path("id").asText()).isEqualTo("kv0");
            assertThat(dev.path("policy").asText()).isEqualTo(policy);
            assertThat(dev.path("transferred").asLong()).as("the whole table went over").isGreaterThan(20000L * 200);
            assertThat(m.path("vfio").path("transferred").asLong()).isEqualTo(dev.path("transferred").asLong());
            JsonNode srcDigest = src.qmp().execute("x-query-digest");
            JsonNode dstDigest = dst.qmp().execute("x-query-digest");
            assertThat(dstDigest.path("devices").path("kv0").asText())
                    .isEqualTo(srcDigest.path("devices").path("kv0").asText()).isNotEmpty();
            assertThat(dstDigest.path("digest").asText()).isEqualTo(srcDigest.path("digest").asText());
            assertThat(dst.qmp().execute("x-check-ab").path("passed").asBoolean()).isTrue();
            assertThat(dst.qmp().execute("query-status").path("status").asText()).isEqualTo("running");
        }
    }
}

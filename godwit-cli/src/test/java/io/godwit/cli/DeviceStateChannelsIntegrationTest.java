package io.godwit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.launch.GodwitProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes with multifd over TCP and two devices with {@code multifd-transfer=on}, one of
 * them without pre-copy: the devices' stop-copy state goes on the channels and the destination's
 * devices equal the source's.
 */
class DeviceStateChannelsIntegrationTest {
    private static final Duration START = Duration.ofMinutes(1);

    @TempDir
    Path dir;

    @Test
    void devicesArriveEqualOverTheChannels() throws Exception {
        List<String> devices = List.of("--device", "synthetic,id=gpu0,size=24M,load-rate=64M,multifd-transfer=on",
                "--device", "synthetic,id=gpu1,size=24M,load-rate=64M,precopy=off,multifd-transfer=on");
        List<Map<String, Object>> caps = List.of(Map.of("capability", "return-path", "state", true),
                Map.of("capability", "multifd", "state", true));
        List<String> dstArgs = new java.util.ArrayList<>(List.of("--ram", "32M", "--incoming", "defer"));
        dstArgs.addAll(devices);
        List<String> srcArgs = new java.util.ArrayList<>(List.of("--ram", "32M", "--workload", "ab:16M"));
        srcArgs.addAll(devices);
        try (GodwitProcess dst = Main.LAUNCHER.start(dir, "dst", dstArgs, START);
                GodwitProcess src = Main.LAUNCHER.start(dir, "src", srcArgs, START)) {
            for (GodwitProcess p : List.of(dst, src)) {
                p.qmp().execute("migrate-set-capabilities", Map.of("capabilities", caps));
                p.qmp().execute("migrate-set-parameters", Map.of("multifd-channels", 3));
            }
            dst.qmp().execute("migrate-incoming", Map.of("uri", "tcp:127.0.0.1:0"));
            src.qmp().execute("migrate-set-parameters", Map.of("max-bandwidth", 0, "downtime-limit", 5000));
            src.qmp().execute("migrate", Map.of("uri", dst.incomingUri()));
            JsonNode m;
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            do {
                m = src.qmp().execute("query-migrate");
                assertThat(System.nanoTime()).as("migration finished in time: %s", m).isLessThan(deadline);
                Thread.sleep(50);
            } while (!ClientCommands.isTerminal(m.path("status").asText()));

            assertThat(m.path("status").asText()).as(m.toString()).isEqualTo("completed");
            JsonNode srcDigest = src.qmp().execute("x-query-digest");
            JsonNode dstDigest = dst.qmp().execute("x-query-digest");
            for (String id : List.of("gpu0", "gpu1")) {
                assertThat(dstDigest.path("devices").path(id).asText()).as(id)
                        .isEqualTo(srcDigest.path("devices").path(id).asText()).isNotEmpty();
            }
            assertThat(dstDigest.path("digest").asText()).isEqualTo(srcDigest.path("digest").asText());
            assertThat(dst.qmp().execute("x-check-ab").path("passed").asBoolean()).isTrue();
            assertThat(dst.qmp().execute("query-status").path("status").asText()).isEqualTo("running");
        }
    }
}

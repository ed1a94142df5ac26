package io.godwit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.launch.GodwitProcess;
import io.godwit.qmp.QmpClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Post-copy between two godwit processes over TCP, driven over QMP: a source whose a-b writer
 * dirties memory faster than max-bandwidth never completes in pre-copy; migrate-start-postcopy
 * finishes it, the destination runs (a reader on it waits for pages), and the copy is equal.
 */
class PostcopyIntegrationTest {
    private static final Duration START = Duration.ofMinutes(1);
    private static final String RAM = "64M";

    @TempDir
    Path dir;

    private static void caps(QmpClient c, String... names) throws IOException {
        List<Map<String, Object>> list = new ArrayList<>();
        for (String n : names) {
            list.add(Map.of("capability", n, "state", true));
        }
        c.execute("migrate-set-capabilities", Map.of("capabilities", list));
    }

    private static JsonNode await(QmpClient c, Predicate<JsonNode> done, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            JsonNode m = c.execute("query-migrate");
            if (done.test(m)) {
                return m;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; last: " + m);
            }
            Thread.sleep(50);
        }
    }

    private static String status(JsonNode m) {
        return m.path("status").asText();
    }

    private static List<String> migrationEvents(QmpClient c) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : c.drainEvents()) {
            if (e.path("event").asText().equals("MIGRATION")) {
                out.add(e.path("data").path("status").asText());
            }
        }
        return out;
    }

    @Test
    void aSourceThatDoesNotConvergeCompletesInPostcopy() throws Exception {
        try (GodwitProcess dst = Main.LAUNCHER.start(dir, "destination", List.of("--ram", RAM,
                        "--incoming", "tcp:127.0.0.1:0", "--workload", "read:256M"), START);
                GodwitProcess src = Main.LAUNCHER.start(dir, "source", List.of("--ram", RAM, "--workload", "ab"),
                        START)) {
            caps(dst.qmp(), "postcopy-ram", "postcopy-blocktime", "events");
            caps(src.qmp(), "postcopy-ram", "events");
            // background pages after the switch are throttled hard at first, so post-copy lasts
            src.qmp().execute("migrate-set-parameters", Map.of("max-bandwidth", 16 << 20, "downtime-limit", 50,
                    "max-postcopy-bandwidth", 1 << 20));
            src.qmp().execute("migrate", Map.of("uri", dst.incomingUri()));

            JsonNode precopy = await(src.qmp(), m -> m.path("ram").path("dirty-sync-count").asLong() >= 4,
                    "four passes");
            assertThat(status(precopy)).as("pre-copy does not converge").isEqualTo("active");
            assertThat(dst.qmp().execute("query-status").path("status").asText()).isEqualTo("inmigrate");

            src.qmp().execute("migrate-start-postcopy");
            await(src.qmp(), m -> status(m).equals("postcopy-active"), "post-copy");
            assertThat(dst.qmp().execute("query-status").path("status").asText()).isEqualTo("running");
            JsonNode cancel = src.qmp().send("{\"execute\": \"migrate_cancel\"}");
            assertThat(cancel.path("error").path("desc").asText())
                    .isEqualTo("Postcopy migration in progress, cannot cancel.");
            JsonNode during = await(dst.qmp(), m -> m.path("postcopy-requests").asLong() > 0,
                    "the destination's reader to ask for a page");
            assertThat(status(during)).isEqualTo("postcopy-active");

            src.qmp().execute("migrate-set-parameters", Map.of("max-postcopy-bandwidth", 0));
            JsonNode end = await(src.qmp(), m -> ClientCommands.isTerminal(status(m)), "the end");
            assertThat(status(end)).as(end.toString()).isEqualTo("completed");
            JsonNode dstEnd = await(dst.qmp(), m -> ClientCommands.isTerminal(status(m)), "the destination's end");
            assertThat(status(dstEnd)).isEqualTo("completed");

            assertThat(migrationEvents(src.qmp())).containsSubsequence("setup", "active", "device", "postcopy-device",
                    "postcopy-active", "completed");
            assertThat(migrationEvents(dst.qmp())).containsSubsequence("active", "postcopy-active", "completed");
            assertThat(src.qmp().execute("query-status").path("status").asText()).isEqualTo("postmigrate");
            assertThat(dst.qmp().execute("x-check-ab").path("passed").asBoolean()).isTrue();
            assertThat(dst.qmp().execute("x-query-digest").path("digest").asText())
                    .isEqualTo(src.qmp().execute("x-query-digest").path("digest").asText());
            assertThat(end.path("ram").path("postcopy-requests").asLong()).isPositive();
            assertThat(end.path("downtime").asLong()).isGreaterThanOrEqualTo(0);
            assertThat(end.path("postcopy-time").asLong()).isGreaterThanOrEqualTo(end.path("downtime").asLong());
            assertThat(dstEnd.path("postcopy-fault-latency-us").path("count").asLong()).isPositive();
            assertThat(dstEnd.path("postcopy-blocktime").asLong()).isGreaterThanOrEqualTo(0);
        }
    }

    /**
     * migrate-pause breaks the link in post-copy: both sides pause, the destination runs on.
     * migrate-recover on the destination and migrate resume=true on the source go on over a new
     * connection, and the copy ends equal.
     */
    @Test
    void aPausedPostcopyRecoversOverANewConnection() throws Exception {
        try (GodwitProcess dst = Main.LAUNCHER.start(dir, "destination", List.of("--ram", RAM,
                        "--incoming", "tcp:127.0.0.1:0", "--workload", "read:64M"), START);
                GodwitProcess src = Main.LAUNCHER.start(dir, "source", List.of("--ram", RAM, "--workload", "ab"),
                        START)) {
            caps(dst.qmp(), "postcopy-ram", "events");
            caps(src.qmp(), "postcopy-ram", "events");
            src.qmp().execute("migrate-set-parameters", Map.of("max-bandwidth", 32 << 20, "downtime-limit", 20,
                    "max-postcopy-bandwidth", 1 << 20));
            src.qmp().execute("migrate", Map.of("uri", dst.incomingUri()));
            await(src.qmp(), m -> m.path("ram").path("dirty-sync-count").asLong() >= 3, "three passes");
            src.qmp().execute("migrate-start-postcopy");
            await(src.qmp(), m -> status(m).equals("postcopy-active"), "post-copy");

            src.qmp().execute("migrate-pause");
            await(src.qmp(), m -> status(m).equals("postcopy-paused"), "the source to pause");
            await(dst.qmp(), m -> status(m).equals("postcopy-paused"), "the destination to pause");
            assertThat(dst.qmp().execute("query-status").path("status").asText()).isEqualTo("running");
            JsonNode refused = src.qmp().send("{\"execute\": \"migrate-recover\", \"arguments\": "
                    + "{\"uri\": \"tcp:127.0.0.1:0\"}}");
            assertThat(refused.path("error").path("desc").asText())
                    .isEqualTo("Migrate recover can only be run when postcopy is paused.");

            dst.qmp().execute("migrate-recover", Map.of("uri", "tcp:127.0.0.1:0"));
            JsonNode at = dst.qmp().execute("query-migrate").path("socket-address").get(0);
            src.qmp().execute("migrate-set-parameters", Map.of("max-postcopy-bandwidth", 0));
            src.qmp().execute("migrate", Map.of("uri", "tcp:" + at.path("host").asText() + ":"
                    + at.path("port").asText(), "resume", true));
            JsonNode end = await(src.qmp(), m -> ClientCommands.isTerminal(status(m)), "the end");
            assertThat(status(end)).as(end.toString()).isEqualTo("completed");
            assertThat(status(await(dst.qmp(), m -> ClientCommands.isTerminal(status(m)), "the destination's end")))
                    .isEqualTo("completed");

            assertThat(migrationEvents(src.qmp())).containsSubsequence("postcopy-active", "postcopy-paused",
                    "postcopy-recover-setup", "postcopy-recover", "postcopy-active", "completed");
            assertThat(migrationEvents(dst.qmp())).containsSubsequence("postcopy-active", "postcopy-paused",
                    "postcopy-recover", "postcopy-active", "completed");
            assertThat(dst.qmp().execute("x-check-ab").path("passed").asBoolean()).isTrue();
            assertThat(dst.qmp().execute("x-query-digest").path("digest").asText())
                    .isEqualTo(src.qmp().execute("x-query-digest").path("digest").asText());
        }
    }

    @Test
    void startPostcopyIsRefusedWithoutTheCapabilityOrAMigration() throws Exception {
        try (GodwitProcess src = Main.LAUNCHER.start(dir, "source", List.of("--ram", "16M"), START)) {
            assertThat(src.qmp().send("{\"execute\": \"migrate-start-postcopy\"}").path("error").path("desc").asText())
                    .isEqualTo("Enable postcopy with migrate_set_capability before the start of migration");
            caps(src.qmp(), "postcopy-ram");
            assertThat(src.qmp().send("{\"execute\": \"migrate-start-postcopy\"}").path("error").path("desc").asText())
                    .isEqualTo("Postcopy must be started after migration has been started");
            assertThat(src.qmp().send("{\"execute\": \"migrate-pause\"}").path("error").path("desc").asText())
                    .isEqualTo("migrate-pause is currently only supported during postcopy-active or postcopy-recover "
                            + "state");
            assertThat(src.qmp().send("{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"tcp:127.0.0.1:1\", "
                    + "\"resume\": true}}").path("error").path("desc").asText())
                    .isEqualTo("Cannot resume if there is no paused migration");
        }
    }
}

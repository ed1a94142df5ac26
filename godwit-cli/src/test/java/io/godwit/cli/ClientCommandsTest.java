package io.godwit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.launch.GodwitProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client commands against real godwit processes, as a user types them. */
class ClientCommandsTest {
    @TempDir
    Path dir;

    @Test
    void setQueryMigrateAndRawQmpDriveARunningMachine() throws Exception {
        try (GodwitProcess dst = Main.LAUNCHER.start(dir, "dst", List.of("--ram", "32M", "--incoming",
                        "unix:" + dir.resolve("m.sock")), Duration.ofMinutes(1));
                GodwitProcess src = Main.LAUNCHER.start(dir, "src", List.of("--ram", "32M", "--workload", "ab:32M"),
                        Duration.ofMinutes(1))) {
            String qmp = src.qmpAddress();

            assertThat(CliRun.run("set", "--qmp", qmp, "downtime-limit=700", "max-bandwidth=1G", "--cap", "events")
                    .exit()).isZero();
            JsonNode params = Json.MAPPER.readTree(CliRun.run("query", "--qmp", qmp, "parameters").out());
            assertThat(params.path("downtime-limit").asLong()).isEqualTo(700);
            assertThat(params.path("max-bandwidth").asLong()).isEqualTo(1L << 30);
            JsonNode caps = Json.MAPPER.readTree(CliRun.run("query", "--qmp", qmp, "capabilities").out());
            assertThat(caps.findValuesAsText("capability")).contains("events", "return-path", "postcopy-ram");

            CliRun bad = CliRun.run("set", "--qmp", qmp, "downtime-limit=9999999");
            assertThat(bad.exit()).isEqualTo(1);
            assertThat(bad.err()).contains("GenericError").contains("downtime_limit");

            // At 1 MiB/s against a workload dirtying 32 MiB/s the migration cannot finish, so
            // --wait surely sees it running and prints progress; then the limit goes and it ends.
            LiveText err = new LiveText();
            CompletableFuture<CliRun> migrating = CompletableFuture.supplyAsync(() -> CliRun.run(err, "migrate",
                    "--qmp", qmp, "--cap", "return-path", "--set", "max-bandwidth=1M", "--wait",
                    "unix:" + dir.resolve("m.sock")));
            assertThat(err.await(" | transferred ", Duration.ofMinutes(1))).as("a progress line while throttled")
                    .isTrue();
            src.qmp().execute("migrate-set-parameters", Map.of("max-bandwidth", 0));
            CliRun migrate = migrating.get(2, TimeUnit.MINUTES);
            assertThat(migrate.exit()).as(migrate.err()).isZero();
            assertThat(migrate.err()).contains("pass ").contains("transferred");
            assertThat(Json.MAPPER.readTree(migrate.out()).path("status").asText()).isEqualTo("completed");

            JsonNode status = Json.MAPPER.readTree(CliRun.run("qmp", "--qmp", qmp, "query-status").out());
            assertThat(status.path("return").path("status").asText()).isEqualTo("postmigrate");
            JsonNode raw = Json.MAPPER.readTree(CliRun.run("qmp", "--qmp", dst.qmpAddress(),
                    "{\"execute\": \"x-check-ab\"}").out());
            assertThat(raw.path("return").path("passed").asBoolean()).isTrue();
            assertThat(CliRun.run("qmp", "--qmp", qmp, "no-such-command").exit()).isEqualTo(1);
            assertThat(CliRun.run("cancel", "--qmp", qmp).exit()).as("nothing to cancel is not an error").isZero();
        }
    }

    @Test
    void clientCommandsSayWhenThereIsNoMachine() {
        CliRun r = CliRun.run("query", "--qmp", "unix:" + dir.resolve("nothing.qmp"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("cannot connect to QMP");
    }
}

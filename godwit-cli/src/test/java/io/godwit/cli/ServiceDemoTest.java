package io.godwit.cli;

import static io.godwit.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** godwit demo --service: the example service migrated between two processes under client load. */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServiceDemoTest {

    @Test
    void jsonReportsACompletedMigrationThatNoClientNoticedButForAPause() throws Exception {
        CliRun r = run("demo", "--service", "--json", "--ram", "16M", "--clients", "4");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertThat(j.path("status").asText()).isEqualTo("completed");
        assertThat(j.path("downtime").isIntegralNumber()).isTrue();
        assertThat(j.path("downtime").asLong()).isNotNegative();
        JsonNode c = j.path("client");
        assertThat(c.path("requests").asLong()).isGreaterThan(4 * 200);
        assertThat(c.path("errors").asLong()).as(c.path("error-samples").toString()).isZero();
        assertThat(c.path("stale-reads").asLong()).isZero();
        assertThat(c.path("max-pause-ms").isIntegralNumber()).isTrue();
        assertThat(c.path("max-pause-ms").asLong()).isNotNegative();
        assertThat(c.path("switch-pause-ms").asLong()).as("every client paused at the switch").isPositive()
                .isLessThanOrEqualTo(c.path("max-pause-ms").asLong());
        assertThat(c.path("clients-moved").asInt()).isEqualTo(4);
        JsonNode v = j.path("verification");
        assertThat(v.path("digest").asText()).isEqualTo("passed");
        assertThat(v.path("source-digest").asText()).hasSize(64).isEqualTo(v.path("destination-digest").asText());
        assertThat(r.err()).contains("every client follows the switch");
    }

    @Test
    void refusesInProcessWithService() {
        CliRun r = run("demo", "--service", "--in-process");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("--in-process does not apply");
    }
}

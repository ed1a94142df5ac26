package io.godwit.cli;

import static io.godwit.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** godwit bench loopback moves the bytes between two child JVMs intact and reports its figures. */
class LoopbackBenchCommandTest {

    @Test
    void movesTheBytesIntactAndReportsEveryKey() throws Exception {
        CliRun r = run("bench", "loopback", "--size", "16M", "--connections", "2", "--runs", "1", "--json");

        assertThat(r.exit()).as(r.err()).isZero(); // a receiver whose CRC differs from the sender's fails the bench
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertThat(j.path("size-bytes").asLong()).isEqualTo(16L << 20);
        assertThat(j.path("connections").asInt()).isEqualTo(2);
        assertThat(j.path("chunk-bytes").asLong()).isEqualTo(512L << 10);
        assertThat(j.path("runs").asInt()).isEqualTo(1);
        assertThat(j.path("verified").asBoolean()).isTrue();
        for (String key : new String[] {"mibps", "total-ms", "sender-cpu-ms", "receiver-cpu-ms"}) {
            assertThat(j.has(key)).as(key).isTrue();
        }
        assertThat(j.path("total-ms").asDouble()).isPositive();
        assertThat(j.path("results")).hasSize(1);
        assertThat(j.path("results").get(0).path("verified").asBoolean()).isTrue();
    }

    @Test
    void refusesConnectionsOutOfRange() {
        CliRun r = run("bench", "loopback", "--size", "16M", "--connections", "9");

        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("--connections must be 1 to 8, not 9");
    }
}

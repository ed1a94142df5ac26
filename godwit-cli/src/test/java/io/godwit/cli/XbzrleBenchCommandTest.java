package io.godwit.cli;

import static io.godwit.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** godwit bench xbzrle runs both cases to completion, checked, and reports the figures of each. */
class XbzrleBenchCommandTest {

    @Test
    void jsonHasTheFiguresOfBothCases() throws Exception {
        CliRun r = run("bench", "xbzrle", "--size", "16M", "--write-rate", "8M", "--max-bandwidth", "0",
                "--runs", "1", "--json");

        assertThat(r.exit()).as(r.err()).isZero(); // a destination unequal to the source fails the bench
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertThat(j.path("xbzrle-cache-size").asLong()).isEqualTo(16L << 20);
        for (String c : new String[] {"off", "on"}) {
            assertThat(j.path(c + "-completed").asBoolean()).as(c).isTrue();
            assertThat(j.path(c + "-transferred").asLong()).as(c).isGreaterThan(16L << 20);
            assertThat(j.path(c + "-passes").asLong()).as(c).isGreaterThanOrEqualTo(2);
        }
        assertThat(j.has("on-xbzrle-pages")).isTrue();
        assertThat(j.has("off-xbzrle-pages")).isFalse();
    }
}

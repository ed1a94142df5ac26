package io.godwit.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.qmp.QmpWireTest.Session;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The size and depth limits on QMP input, and what happens to a client that goes past them. */
class QmpInputLimitsTest {
    @TempDir
    Path dir;

    private ServedMachine m;

    @BeforeEach
    void setUp() throws IOException {
        m = ServedMachine.destination(dir, "m", 1 << 20);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private Session negotiated() throws IOException {
        Session s = new Session(m.socket);
        s.read();
        s.call("{\"execute\": \"qmp_capabilities\"}");
        return s;
    }

    @Test
    void refusesNestingDeeperThanTheLimitAndKeepsTheSession() throws Exception {
        try (Session s = negotiated()) {
            int max = QmpRequestParser.MAX_NESTING_DEPTH;
            JsonNode deep = s.call("{\"execute\": \"query-status\", \"id\": " + "[".repeat(max) + "]".repeat(max) + "}");
            assertThat(deep.path("error").path("class").asText()).isEqualTo("GenericError");
            assertThat(deep.path("error").path("desc").asText())
                    .isEqualTo("JSON parse error, nesting deeper than " + max + " levels");

            JsonNode fits = s.call("{\"execute\": \"query-status\", \"id\": " + "[".repeat(max - 1)
                    + "]".repeat(max - 1) + "}");
            assertThat(fits.path("return").has("status")).isTrue();
        }
    }
}

package io.godwit.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.qmp.QmpWireTest.Session;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One line, one JSON object, one command: anything else is refused whole, with an error reply. */
class QmpParsingTest {
    @TempDir
    Path dir;

    private ServedMachine m;
    private Session s;

    @BeforeEach
    void setUp() throws IOException {
        m = ServedMachine.source(dir, "m", 1 << 20);
        s = new Session(m.socket);
        s.read();
        s.call("{\"execute\": \"qmp_capabilities\"}");
    }

    @AfterEach
    void tearDown() throws IOException {
        s.close();
        m.close();
    }

    private String status() throws IOException {
        return s.call("{\"execute\": \"query-status\"}").path("return").path("status").asText();
    }

    @Test
    void refusesCharactersAfterTheObjectAndRunsNothing() throws Exception {
        JsonNode r = s.call("{\"execute\": \"stop\", \"id\": 1}}");
        assertThat(r.path("error").path("class").asText()).isEqualTo("GenericError");
        assertThat(r.path("error").path("desc").asText())
                .isEqualTo("JSON parse error, unexpected '}' after the JSON object; send one command per line");
        assertThat(r.has("id")).as("a refused line has no id to answer").isFalse();
        assertThat(status()).isEqualTo("running");

        assertThat(s.call("{\"execute\": \"stop\"} x y z").path("error").path("desc").asText())
                .contains("unexpected 'x y z' after the JSON object");
        assertThat(status()).isEqualTo("running");
    }

    @Test
    void refusesTwoObjectsOnOneLineWithOneReplyAndRunsNeither() throws Exception {
        JsonNode r = s.call("{\"execute\": \"stop\", \"id\": 1} {\"execute\": \"query-status\", \"id\": 2}");
        assertThat(r.path("error").path("desc").asText())
                .startsWith("JSON parse error, unexpected '{\"execute\"").endsWith("send one command per line");
        JsonNode next = s.call("{\"execute\": \"query-status\", \"id\": 3}");
        assertThat(next.path("id").asInt()).as("no second reply was left behind").isEqualTo(3);
        assertThat(next.path("return").path("status").asText()).isEqualTo("running");
    }

    @Test
    void refusesDuplicateMembers() throws Exception {
        JsonNode r = s.call("{\"execute\": \"stop\", \"execute\": \"query-status\"}");
        assertThat(r.path("error").path("desc").asText()).isEqualTo("JSON parse error, duplicate member 'execute'");
        assertThat(status()).isEqualTo("running");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1, 2]", "\"query-status\"", "42", "null", "true"})
    void refusesInputThatIsNotAnObject(String line) throws Exception {
        assertThat(s.call(line).path("error").path("desc").asText()).isEqualTo("QMP input must be a JSON object");
        assertThat(status()).isEqualTo("running");
    }

    @Test
    void toleratesBlankLinesSurroundingSpaceAndCarriageReturns() throws Exception {
        JsonNode r = s.call("\n \t\r\n  {\"execute\": \"query-status\", \"id\": \"a\"} \t\r");
        assertThat(r.path("id").asText()).isEqualTo("a");
        assertThat(s.call("{\"execute\": \"query-status\", \"id\": \"b\"}").path("id").asText())
                .as("blank lines got no reply").isEqualTo("b");
    }

    /** NULs made the JSON parser guess UTF-32 and throw past the session: no reply, connection dropped. */
    @Test
    void refusesNulBytesWithAnErrorAndKeepsTheSession() throws Exception {
        JsonNode r = s.call("{\u0000\u0000\u0000\"execute\": \"stop\"}");
        assertThat(r.path("error").path("desc").asText()).isEqualTo("JSON parse error, invalid character 0x00 at byte 1");
        assertThat(status()).isEqualTo("running");
    }

    /** A lone byte 0xad is a soft hyphen to the parser, a format character: it printed raw in the desc. */
    @Test
    void quotesCharactersThatDoNotPrintEscaped() throws Exception {
        byte[] line = {'{', '"', 'e', '"', (byte) 0xad, ':', '1', '}'};
        assertThatThrownBy(() -> QmpRequestParser.parse(line)).isInstanceOf(QmpError.class)
                .hasMessageStartingWith("JSON parse error, Unexpected character ('\\xad' (code 173))");
        String name = s.call("{\"execute\": \"a\\u001b[2J\\u2028b\"}").path("error").path("desc").asText();
        assertThat(name).isEqualTo("The command a\\x1b[2J\\u2028b has not been found");
        assertThat(status()).isEqualTo("running");
    }

    @Test
    void malformedJsonGetsAOneLineError() throws Exception {
        String desc = s.call("{\"execute\": \"query-status\", \u0001}").path("error").path("desc").asText();
        assertThat(desc).startsWith("JSON parse error, ").doesNotContain("\n").doesNotContainPattern("\\p{Cntrl}");
        assertThat(status()).isEqualTo("running");
    }
}

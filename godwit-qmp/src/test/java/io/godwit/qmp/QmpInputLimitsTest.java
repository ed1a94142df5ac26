package io.godwit.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.qmp.QmpWireTest.Session;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The size and depth limits on QMP input, and what happens to a client that goes past them. */
class QmpInputLimitsTest {
    private static final Duration HANG = Duration.ofSeconds(60);
    private static final int LIMIT = QmpLineReader.MAX_COMMAND_BYTES;

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
    void refusesAHugeLineWithOneErrorThenDisconnectsWithoutGrowingTheHeap() throws Exception {
        try (Session s = negotiated()) {
            long before = usedHeapAfterGc();
            long sent = streamWithoutNewline(s, 64L << 20);
            long grown = usedHeapAfterGc() - before;
            System.out.printf("64 MiB without a newline: %d MiB accepted by the socket, heap grew by %d KiB%n",
                    sent >> 20, grown >> 10);
            assertThat(grown).as("heap growth while a 64 MiB line came in").isLessThan(32L << 20);

            String reply = assertTimeoutPreemptively(HANG, () -> s.in.readLine());
            JsonNode error = QmpServer.JSON.readTree(reply).path("error");
            assertThat(error.path("class").asText()).isEqualTo("GenericError");
            assertThat(error.path("desc").asText()).isEqualTo("QMP command exceeds " + LIMIT + " bytes");
            assertThat(assertTimeoutPreemptively(HANG, s::linesUntilClosed))
                    .as("nothing after the error, then the end of the connection").isZero();
        }
        try (Session other = negotiated()) {
            assertThat(other.call("{\"execute\": \"query-status\"}").path("return").has("status")).isTrue();
        }
    }

    @Test
    void acceptsACommandOfExactlyTheLimitAndRefusesOneByteMore() throws Exception {
        try (Session s = negotiated()) {
            String exact = commandOfLength(LIMIT);
            assertThat(exact.getBytes(StandardCharsets.UTF_8)).hasSize(LIMIT);
            JsonNode ok = s.call(exact + "\r");
            assertThat(ok.path("return").has("status")).isTrue();
            assertThat(ok.path("id").asText()).hasSize(exact.length() - commandOfLength(0).length());

            JsonNode over = assertTimeoutPreemptively(HANG, () -> s.call(commandOfLength(LIMIT + 1)));
            assertThat(over.path("error").path("desc").asText()).isEqualTo("QMP command exceeds " + LIMIT + " bytes");
            assertThat(assertTimeoutPreemptively(HANG, s::linesUntilClosed)).isZero();
        }
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

    /** A query-status whose id pads it to {@code length} bytes (or its shortest form). */
    private static String commandOfLength(int length) {
        String head = "{\"execute\": \"query-status\", \"id\": \"";
        String tail = "\"}";
        char[] pad = new char[Math.max(0, length - head.length() - tail.length())];
        Arrays.fill(pad, 'x');
        return head + new String(pad) + tail;
    }

    /** Sends {@code total} bytes without a newline; stops early if the server hangs up. */
    private static long streamWithoutNewline(Session s, long total) {
        byte[] chunk = new byte[64 << 10];
        Arrays.fill(chunk, (byte) ' ');
        chunk[0] = '"';
        long sent = 0;
        try {
            while (sent < total) {
                s.out.write(chunk);
                sent += chunk.length;
                chunk[0] = ' ';
            }
        } catch (IOException e) {
            // disconnected, as it should be
        }
        return sent;
    }

    private static long usedHeapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}

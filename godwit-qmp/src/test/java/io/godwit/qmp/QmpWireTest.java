package io.godwit.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.godwit.clock.Clock;
import io.godwit.reference.workload.AbWorkload;
import io.godwit.machine.Machine;
import io.godwit.monitor.Monitor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** QMP as a client sees it on the socket: raw JSON lines, no client library. */
class QmpWireTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path dir;
    private Machine src;
    private Machine dst;
    private QmpServer srcServer;
    private QmpServer dstServer;
    private Monitor dstMonitor;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("qmp-test");
        src = new Machine("src");
        src.addRam("pc.ram", 16 << 20);
        src.addWorkload(new AbWorkload());
        src.start();
        srcServer = new QmpServer(() -> {});
        srcServer.listen("unix:" + dir.resolve("src.qmp"), new Monitor(src, Clock.system(), srcServer::emit));
        dst = new Machine("dst");
        dst.addRam("pc.ram", 16 << 20);
        dstServer = new QmpServer(() -> {});
        dstMonitor = new Monitor(dst, Clock.system(), dstServer::emit);
        dstServer.listen("unix:" + dir.resolve("dst.qmp"), dstMonitor);
    }

    @AfterEach
    void tearDown() throws IOException {
        srcServer.close();
        dstServer.close();
        dstMonitor.close();
        src.close();
        dst.close();
    }

    /** A raw line-based QMP session. */
    static final class Session implements AutoCloseable {
        final SocketChannel ch;
        final BufferedReader in;
        final OutputStream out;
        final List<JsonNode> events = new ArrayList<>();

        Session(Path socket) throws IOException {
            ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
            in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            out = Channels.newOutputStream(ch);
        }

        JsonNode read() throws IOException {
            String line = in.readLine();
            assertThat(line).as("a line from the server").isNotNull();
            return JSON.readTree(line);
        }

        /** Sends a line and returns the reply, keeping events that arrive before it. */
        JsonNode call(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (true) {
                JsonNode n = read();
                if (n.has("event")) {
                    events.add(n);
                } else {
                    return n;
                }
            }
        }

        /** Reads until the server closes the connection; returns how many lines came before. */
        long linesUntilClosed() {
            long lines = 0;
            try {
                while (in.readLine() != null) {
                    lines++;
                }
            } catch (IOException e) {
                // a reset is a close too
            }
            return lines;
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    @Test
    void negotiatesThenMigratesAndReportsEvents() throws Exception {
        try (Session s = new Session(dir.resolve("src.qmp")); Session d = new Session(dir.resolve("dst.qmp"))) {
            JsonNode greeting = s.read();
            assertThat(greeting.path("QMP").path("version").path("qemu").has("major")).isTrue();
            assertThat(greeting.path("QMP").path("capabilities").isArray()).isTrue();
            d.read();

            JsonNode early = s.call("{\"execute\": \"query-migrate\"}");
            assertThat(early.path("error").path("class").asText()).isEqualTo("CommandNotFound");
            assertThat(s.call("{\"execute\": \"qmp_capabilities\"}").path("return").isObject()).isTrue();
            assertThat(d.call("{\"execute\": \"qmp_capabilities\"}").has("return")).isTrue();

            String sock = dir.resolve("mig.sock").toString();
            assertThat(d.call("{\"execute\": \"migrate-incoming\", \"arguments\": {\"uri\": \"unix:" + sock + "\"}}")
                    .has("return")).isTrue();
            assertThat(s.call("{\"execute\": \"migrate-set-capabilities\", \"arguments\": {\"capabilities\": ["
                    + "{\"capability\": \"events\", \"state\": true}, {\"capability\": \"return-path\", \"state\": true}]}}")
                    .has("return")).isTrue();
            JsonNode set = s.call("{\"execute\": \"migrate-set-parameters\", \"arguments\": "
                    + "{\"max-bandwidth\": 0, \"downtime-limit\": 500}, \"id\": \"p1\"}");
            assertThat(set.has("return")).isTrue();
            assertThat(set.path("id").asText()).isEqualTo("p1");
            JsonNode params = s.call("{\"execute\": \"query-migrate-parameters\"}").path("return");
            assertThat(params.path("downtime-limit").asLong()).isEqualTo(500);
            assertThat(params.path("max-bandwidth").asLong()).isZero();

            assertThat(s.call("{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"unix:" + sock + "\"}}")
                    .has("return")).isTrue();
            JsonNode status;
            long deadline = System.nanoTime() + 60_000_000_000L;
            do {
                status = s.call("{\"execute\": \"query-migrate\"}").path("return");
                assertThat(System.nanoTime()).as("migration finished in time").isLessThan(deadline);
            } while (!List.of("completed", "failed", "cancelled").contains(status.path("status").asText()));

            assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("completed");
            assertThat(status.path("ram").path("transferred").asLong()).isGreaterThan(16 << 20);
            assertThat(status.has("downtime")).isTrue();
            // events arrive asynchronously; a final query flushes any still in flight
            s.call("{\"execute\": \"query-status\"}");
            List<String> names = s.events.stream().map(e -> e.path("event").asText()).toList();
            assertThat(names).contains("MIGRATION", "MIGRATION_PASS", "STOP");
            assertThat(s.events.stream().filter(e -> e.path("event").asText().equals("MIGRATION"))
                    .map(e -> e.path("data").path("status").asText())).contains("setup", "active", "completed");
            assertThat(s.events.get(0).path("timestamp").has("seconds")).isTrue();

            String srcDigest = s.call("{\"execute\": \"x-query-digest\"}").path("return").path("digest").asText();
            String dstDigest = d.call("{\"execute\": \"x-query-digest\"}").path("return").path("digest").asText();
            assertThat(dstDigest).isEqualTo(srcDigest);
            assertThat(d.call("{\"execute\": \"x-check-ab\"}").path("return").path("passed").asBoolean()).isTrue();
            assertThat(d.call("{\"execute\": \"query-status\"}").path("return").path("status").asText())
                    .isEqualTo("running");
            assertThat(s.call("{\"execute\": \"query-status\"}").path("return").path("status").asText())
                    .isEqualTo("postmigrate");
        }
    }

    @Test
    void answersBadInputWithErrorsAndKeepsTheSession() throws Exception {
        try (Session s = new Session(dir.resolve("src.qmp"))) {
            s.read();
            s.call("{\"execute\": \"qmp_capabilities\"}");

            JsonNode unknown = s.call("{\"execute\": \"no-such-command\", \"id\": 7}");
            assertThat(unknown.path("error").path("class").asText()).isEqualTo("CommandNotFound");
            assertThat(unknown.path("error").path("desc").asText()).contains("no-such-command");
            assertThat(unknown.path("id").asInt()).isEqualTo(7);

            JsonNode missing = s.call("{\"execute\": \"migrate\", \"arguments\": {}}");
            assertThat(missing.path("error").path("class").asText()).isEqualTo("GenericError");
            assertThat(missing.path("error").path("desc").asText()).isEqualTo("Parameter 'uri' is missing");

            JsonNode wrongType = s.call("{\"execute\": \"migrate\", \"arguments\": {\"uri\": 42}}");
            assertThat(wrongType.path("error").path("desc").asText())
                    .isEqualTo("Invalid parameter type for 'uri', expected: string");

            JsonNode extra = s.call("{\"execute\": \"migrate_cancel\", \"arguments\": {\"force\": true}}");
            assertThat(extra.path("error").path("desc").asText()).isEqualTo("Parameter 'force' is unexpected");

            JsonNode range = s.call("{\"execute\": \"migrate-set-parameters\", \"arguments\": {\"downtime-limit\": 3000000}}");
            assertThat(range.path("error").path("desc").asText()).contains("downtime_limit").contains("2000000");

            JsonNode badCap = s.call("{\"execute\": \"migrate-set-capabilities\", \"arguments\": {\"capabilities\": "
                    + "[{\"capability\": \"warp-speed\", \"state\": true}]}}");
            assertThat(badCap.path("error").path("desc").asText()).contains("warp-speed");

            JsonNode badUri = s.call("{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"carrier-pigeon:x\"}}");
            assertThat(badUri.path("error").path("desc").asText()).contains("carrier-pigeon");

            JsonNode malformed = s.call("{\"execute\": \"query-status\"");
            assertThat(malformed.path("error").path("class").asText()).isEqualTo("GenericError");
            assertThat(malformed.path("error").path("desc").asText()).startsWith("JSON parse error");

            JsonNode notObject = s.call("[1, 2]");
            assertThat(notObject.path("error").path("desc").asText()).isEqualTo("QMP input must be a JSON object");

            JsonNode noExecute = s.call("{\"arguments\": {}}");
            assertThat(noExecute.path("error").path("desc").asText()).isEqualTo("QMP input lacks member 'execute'");

            assertThat(s.call("{\"execute\": \"query-status\"}").path("return").path("status").asText())
                    .as("the session survives every error").isEqualTo("running");
        }
    }

    @Test
    void refusesParametersOutsideTheirRangesAndChangesNothing() throws Exception {
        String maxBandwidth = "Parameter 'max_bandwidth' expects an integer in the range of 0 to "
                + Long.MAX_VALUE + " bytes/second";
        try (Session s = new Session(dir.resolve("src.qmp"))) {
            s.read();
            s.call("{\"execute\": \"qmp_capabilities\"}");
            assertThat(setParameter(s, "downtime-limit", "2000001"))
                    .isEqualTo("Parameter 'downtime_limit' expects an integer in the range of 0 to 2000000 milliseconds");
            assertThat(setParameter(s, "downtime-limit", "18446744073709551615")).contains("downtime_limit");
            assertThat(setParameter(s, "max-bandwidth", "-1")).isEqualTo(maxBandwidth);
            // QEMU takes up to 2^64-1 here; a value Godwit cannot hold is out of range, not of the wrong type
            assertThat(setParameter(s, "max-bandwidth", "9223372036854775808")).isEqualTo(maxBandwidth);
            assertThat(setParameter(s, "avail-switchover-bandwidth", "18446744073709551616"))
                    .contains("avail_switchover_bandwidth").contains("range");
            assertThat(setParameter(s, "max-postcopy-bandwidth", "-1"))
                    .isEqualTo("Parameter 'max_postcopy_bandwidth' expects an integer in the range of 0 to "
                            + Long.MAX_VALUE + " bytes/second");
            assertThat(setParameter(s, "max-bandwidth", "1.5"))
                    .isEqualTo("Invalid parameter type for 'max-bandwidth', expected: integer");
            assertThat(setParameter(s, "multifd-channels", "0"))
                    .isEqualTo("Parameter 'multifd-channels' expects a value between 1 and 255");
            assertThat(setParameter(s, "multifd-compression", "\"lz4\""))
                    .isEqualTo("Parameter 'multifd-compression' expects one of none, zlib, zstd");

            JsonNode mixed = s.call("{\"execute\": \"migrate-set-parameters\", \"arguments\": "
                    + "{\"downtime-limit\": 400, \"max-bandwidth\": -1}}");
            assertThat(mixed.path("error").path("desc").asText()).isEqualTo(maxBandwidth);
            JsonNode params = s.call("{\"execute\": \"query-migrate-parameters\"}").path("return");
            assertThat(params.path("downtime-limit").asLong()).as("a refused set changes nothing").isEqualTo(300);

            assertThat(setParameter(s, "x-connect-timeout", "86400001"))
                    .isEqualTo("Parameter 'x_connect_timeout' expects an integer in the range of 0 to 86400000 milliseconds");
            assertThat(setParameter(s, "x-return-path-timeout", "-1")).contains("x_return_path_timeout").contains("range");
            assertThat(setParameter(s, "x-incoming-read-timeout", "250")).isEmpty();
            JsonNode timeouts = s.call("{\"execute\": \"query-migrate-parameters\"}").path("return");
            assertThat(timeouts.path("x-incoming-read-timeout").asLong()).isEqualTo(250);
            assertThat(timeouts.path("x-connect-timeout").asLong()).isEqualTo(30_000);
            assertThat(timeouts.path("x-incoming-idle-timeout").asLong()).isEqualTo(30_000);
            assertThat(timeouts.path("x-return-path-timeout").asLong()).isEqualTo(60_000);

            assertThat(setParameter(s, "max-bandwidth", String.valueOf(Long.MAX_VALUE))).isEmpty();
            assertThat(s.call("{\"execute\": \"query-migrate-parameters\"}").path("return").path("max-bandwidth")
                    .asLong()).isEqualTo(Long.MAX_VALUE);
            assertThat(setParameter(s, "max-postcopy-bandwidth", "1048576")).isEmpty();
            assertThat(s.call("{\"execute\": \"query-migrate-parameters\"}").path("return")
                    .path("max-postcopy-bandwidth").asLong()).isEqualTo(1048576);
        }
    }

    /** Sets one parameter from raw JSON text; returns the error desc, or "" when it was accepted. */
    private static String setParameter(Session s, String name, String json) throws IOException {
        JsonNode r = s.call("{\"execute\": \"migrate-set-parameters\", \"arguments\": {\"" + name + "\": " + json + "}}");
        return r.has("error") ? r.path("error").path("desc").asText() : "";
    }
}

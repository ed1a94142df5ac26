package io.godwit.qmp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.migration.MigrationStatus;
import io.godwit.monitor.Monitor;
import io.godwit.monitor.MonitorEvents;
import io.godwit.stream.Printable;
import io.godwit.stream.RefusalProperty;
import io.godwit.transport.MigrationUri;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;

/**
 * A QMP client's bytes, split into lines by {@link QmpLineReader} and answered by a session on
 * the command table of a machine's monitor, as a served connection answers them: every reply is
 * one JSON object on one line, a "return" or an "error" with a class and a desc that is one
 * printable line without Java's insides; only a line over the limit is refused without an answer.
 * Commands that would migrate have their URI replaced by a unix socket nobody listens on, so the
 * fuzzer never connects anywhere, writes files or runs commands. Seeds: QmpRequestFuzzTestInputs.
 */
class QmpRequestFuzzTest {
    private static final int LIMIT = 4096;
    private static final Set<String> WITH_URI = Set.of("migrate", "migrate-incoming", "migrate-recover");
    private static final Path DIR = tempDir();
    /**
     * Each input's sockets have names of their own: a listener an earlier input opened (and whose
     * close is still under way) is never what a later input's migrate reaches.
     */
    private static final java.util.concurrent.atomic.AtomicLong INPUTS = new java.util.concurrent.atomic.AtomicLong();
    private static volatile long input;

    @FuzzTest(maxDuration = "5m")
    void answersEveryLine(byte[] input) throws Exception {
        QmpRequestFuzzTest.input = INPUTS.incrementAndGet();
        try (Machine m = new Machine("fuzz")) {
            m.addRam("pc.ram", 64 << 10);
            Monitor monitor = new Monitor(m, Clock.system(), MonitorEvents.NONE);
            try {
                session(input, new QmpSession(new QmpCommands(monitor)));
            } finally {
                settle(monitor);
                monitor.close();
            }
        }
    }

    private static void session(byte[] input, QmpSession session) throws IOException {
        QmpLineReader lines = new QmpLineReader(new ByteArrayInputStream(input), LIMIT);
        try {
            for (byte[] line; (line = lines.next()) != null; ) {
                if (line.length > LIMIT) {
                    throw new AssertionError("a line of " + line.length + " bytes passed the limit " + LIMIT);
                }
                QmpSession.Reply r = session.handle(defused(line));
                if (r != null) {
                    checkReply(r.frame(), line);
                    if (r.quit()) {
                        return;
                    }
                }
            }
        } catch (QmpLineReader.TooLongException e) {
            if (longestLine(input) <= LIMIT) {
                throw new AssertionError("refused as too long, but no line is over " + LIMIT + " bytes", e);
            }
        }
    }

    /** One line of compact JSON ending CRLF: a "return", or an "error" whose desc passes the refusal check. */
    private static void checkReply(byte[] frame, byte[] line) throws IOException {
        String s = new String(frame, StandardCharsets.UTF_8);
        if (!s.endsWith("\r\n") || s.indexOf('\n') != s.length() - 1 || s.indexOf('\r') != s.length() - 2) {
            throw new AssertionError("reply is not one line: " + Printable.escape(s));
        }
        JsonNode reply = QmpServer.JSON.readTree(frame);
        JsonNode error = reply.get("error");
        if (reply.has("return") == (error != null)) {
            throw new AssertionError("reply has neither or both of return and error: " + s);
        }
        if (error != null) {
            if (!error.path("class").isTextual() || !error.path("desc").isTextual()) {
                throw new AssertionError("error without class and desc: " + s);
            }
            RefusalProperty.checkMessage(withoutInput(error.get("desc").asText(), line), null);
        }
    }

    /** The desc without the strings the request itself held, which may quote anything, "Exception" too. */
    private static String withoutInput(String desc, byte[] line) {
        String own = desc;
        try {
            for (String s : strings(QmpServer.JSON.readTree(line))) {
                if (!s.isEmpty() && Printable.isPrintable(s)) {
                    own = own.replace(s, "");
                }
            }
        } catch (IOException notJson) {
            // nothing was quoted from it but a parser's snippet, which the parser made printable
        }
        return own.isBlank() ? desc : own;
    }

    private static Iterable<String> strings(JsonNode n) {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (n == null) {
            return out;
        }
        if (n.isTextual()) {
            out.add(n.asText());
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        n.elements().forEachRemaining(e -> strings(e).forEach(out::add));
        return out;
    }

    /** The line with the URI of a migration command pointed at a socket nobody listens on. */
    private static byte[] defused(byte[] line) {
        JsonNode req;
        try {
            req = QmpServer.JSON.readTree(line);
        } catch (IOException notJson) {
            return line;
        }
        if (req == null || !req.isObject() || !WITH_URI.contains(req.path("execute").asText())
                || !req.path("arguments").path("uri").isTextual()) {
            return line;
        }
        try {
            MigrationUri.parse(req.path("arguments").path("uri").asText());
        } catch (RuntimeException malformed) {
            return line; // refused before anything is opened
        }
        String side = req.path("execute").asText().equals("migrate") ? "nobody" : "incoming";
        ((ObjectNode) req.get("arguments")).put("uri", "unix:" + DIR.resolve(side + "-" + input + ".sock"));
        try {
            return QmpServer.JSON.writeValueAsBytes(req);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits (bounded) until a migration the input started has failed, before the machine closes. */
    private static void settle(Monitor monitor) throws InterruptedException {
        for (int i = 0; i < 20_000 && active(monitor); i++) {
            Thread.sleep(1);
        }
        if (active(monitor)) {
            MigrationStatus s = monitor.outgoingInfo().status();
            throw new AssertionError("a migration to a socket nobody listens on is still " + s + " after 20 s");
        }
    }

    private static boolean active(Monitor monitor) {
        return monitor.outgoingInfo() != null && monitor.outgoingInfo().status().isActive();
    }

    private static int longestLine(byte[] input) {
        int longest = 0;
        int start = 0;
        for (int i = 0; i <= input.length; i++) {
            if (i == input.length || input[i] == '\n') {
                int len = i - start;
                if (len > 0 && input[i - 1] == '\r') { // the reader drops a CR at the end of a line
                    len--;
                }
                longest = Math.max(longest, len);
                start = i + 1;
            }
        }
        return longest;
    }

    private static Path tempDir() {
        try {
            Path d = Files.createTempDirectory("godwit-qmp-fuzz-");
            d.toFile().deleteOnExit();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

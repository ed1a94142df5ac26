package io.godwit.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.stream.Printable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The text report of a stream whose names hold newlines and terminal escapes: one report line each. */
class TextReportTest {
    static final String BLOCK = "pc.ram\n\u001b[2Jfake line";

    @TempDir
    Path dir;

    @Test
    void namesFromTheStreamAreEscapedSoEveryLinePrints() throws Exception {
        StreamBuilder b = new StreamBuilder().header().config("pc\u0007");
        b.start(2, "ram", 0, 4).ramBlocks(BLOCK, 4096L).ramEos().footer(2);
        b.end(2).ramZero(BLOCK, 0).ramEos().footer(2).eof();
        InspectReport r = GodwitStreams.inspect(b.write(dir.resolve("names.state")));

        ByteArrayOutputStream text = new ByteArrayOutputStream();
        TextReport.render(r, new PrintStream(text, true, StandardCharsets.UTF_8));

        List<String> lines = text.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).allSatisfy(line -> assertThat(Printable.isPrintable(line)).as(line).isTrue());
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("  pc.ram\\x0a\\x1b[2Jfake line"));
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("configuration  machine type pc\\x07 "));
        assertThat(JsonReport.render(r)).contains("\"pc.ram\\n\\u001B[2Jfake line\"");
    }
}

package io.godwit.inspect;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.godwit.stream.Printable;
import io.godwit.stream.RefusalProperty;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * {@code godwit inspect} fed any file, RAM extraction on: the file is read to its end and both
 * reports render (the text one as printable lines, the JSON one as JSON), or it is refused as
 * {@link RefusalProperty} requires. Seeds: StreamInspectorFuzzTestInputs (the same streams as
 * the loader's); docs/fuzzing.md says how to fuzz it.
 */
class StreamInspectorFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DIR = tempDir();
    private static final Path FILE = DIR.resolve("stream.state");
    private static final Path EXTRACTED = DIR.resolve("ram");

    @FuzzTest(maxDuration = "5m")
    void inspectsOrReports(byte[] stream) throws IOException {
        Files.write(FILE, stream);
        FILE.toFile().deleteOnExit(); // before the directory, which is deleted after it
        InspectReport r;
        try {
            r = new StreamInspector(FILE, EXTRACTED, Progress.NONE).inspect();
        } catch (Exception e) {
            RefusalProperty.checkStreamRefusal(e, stream.length);
            return;
        } finally {
            clear(EXTRACTED);
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        TextReport.render(r, new PrintStream(text, true, StandardCharsets.UTF_8));
        for (String line : text.toString(StandardCharsets.UTF_8).split("\n", -1)) {
            if (!Printable.isPrintable(line)) {
                throw new AssertionError("report line does not print: " + Printable.escape(line));
            }
        }
        JSON.readTree(JsonReport.render(r));
    }

    private static Path tempDir() {
        try {
            Path shm = Path.of("/dev/shm");
            Path d = Files.isDirectory(shm) ? Files.createTempDirectory(shm, "godwit-fuzz-")
                    : Files.createTempDirectory("godwit-fuzz-");
            d.toFile().deleteOnExit();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void clear(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.delete(f);
            }
        }
    }
}

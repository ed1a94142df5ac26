package io.godwit.inspect;

import static io.godwit.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.godwit.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** godwit inspect as a user runs it: the text, the JSON keys, extraction, and refusals on stderr. */
class InspectCommandTest {
    @TempDir
    Path dir;


    Path qemuLike() throws Exception {
        return new QemuLikeStream().b.write(dir.resolve("stream.bin"));
    }

    @Test
    void textShowsHeaderSectionsRamDevicesAndSummary() throws Exception {
        QemuLikeStream s = new QemuLikeStream();
        Path file = s.b.write(dir.resolve("stream.bin"));

        CliRun r = run("inspect", file.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("magic 0x5145564d (QEVM), version 3")
                .contains("machine type pc-i440fx-7.2 (at 0x8)")
                .containsPattern("0x[0-9a-f]+ +START +2  ram ")
                .containsPattern(Hex.of(s.cpuSection) + " +FULL +5  cpu ")
                .containsPattern("pc\\.ram +0x10000 +16 +3 +2 +3")
                .containsPattern("cpu +0  cpu +12 +5 " + Hex.of(s.cpuSection) + " +" + QemuLikeStream.cpuPayload().length
                        + " +" + QemuLikeStream.CPU_LEAVES)
                .containsPattern("slirp +0  \\(old style\\)")
                .contains("7 sections (START 1, PART 1, END 1, FULL 4)")
                .contains("EOF at " + Hex.of(s.eofAt)).contains("trailer at " + Hex.of(s.trailerAt));
    }

    @Test
    void jsonHasEveryDocumentedKey() throws Exception {
        QemuLikeStream s = new QemuLikeStream();
        CliRun r = run("inspect", "--json", s.b.write(dir.resolve("stream.bin")).toString());

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(fieldNames(j)).containsExactly("file", "file-size", "header", "configuration", "sections", "ram",
                "commands", "devices", "disks", "block-progress", "dirty-bitmaps", "storage-attributes", "vfio",
                "summary", "warnings");
        assertThat(j.path("header").path("magic").asText()).isEqualTo("0x5145564d");
        assertThat(j.path("configuration").path("machine-type").asText()).isEqualTo("pc-i440fx-7.2");
        JsonNode cpu = j.path("sections").get(3);
        assertThat(fieldNames(cpu)).containsExactly("type", "section-id", "idstr", "instance-id", "version", "offset",
                "bytes", "payload-bytes");
        assertThat(cpu.path("offset").asLong()).isEqualTo(s.cpuSection);
        assertThat(cpu.path("payload-bytes").asLong()).isEqualTo(QemuLikeStream.cpuPayload().length);
        JsonNode pc = j.path("ram").path("blocks").get(0);
        assertThat(fieldNames(pc)).containsExactly("name", "length", "pages", "normal", "zero", "xbzrle", "compressed",
                "distinct", "file");
        assertThat(pc.path("normal").asLong()).isEqualTo(3);
        assertThat(pc.path("zero").asLong()).isEqualTo(2);
        assertThat(j.path("ram").path("normal").asLong()).isEqualTo(4);
        JsonNode dev = j.path("devices").get(0);
        assertThat(fieldNames(dev)).containsExactly("name", "instance-id", "vmsd-name", "version", "section-id",
                "offset", "bytes", "fields");
        assertThat(dev.path("fields").asLong()).isEqualTo(QemuLikeStream.CPU_LEAVES);
        assertThat(j.path("devices").get(1).path("vmsd-name").isNull()).isTrue();
        JsonNode sum = j.path("summary");
        assertThat(fieldNames(sum)).containsExactly("sections", "section-types", "commands", "bytes", "eof",
                "eof-offset", "trailer", "trailer-offset", "trailer-bytes");
        assertThat(sum.path("section-types").path("FULL").asInt()).isEqualTo(4);
        assertThat(sum.path("eof-offset").asLong()).isEqualTo(s.eofAt);
        assertThat(sum.path("trailer").asBoolean()).isTrue();
        assertThat(j.path("warnings")).isEmpty();
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void extractRamSaysWhereEachBlockWent() throws Exception {
        Path out = dir.resolve("ram");

        CliRun r = run("inspect", "--extract-ram", out.toString(), qemuLike().toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("extracted pc.ram -> " + out.resolve("pc.ram"))
                .contains("extracted /rom@etc/acpi/tables -> " + out.resolve("%2From%40etc%2Facpi%2Ftables"));
        byte[] ram = Files.readAllBytes(out.resolve("pc.ram"));
        assertThat(ram).hasSize((int) QemuLikeStream.RAM);
        assertThat(ram[0]).as("zeroed by the END section").isZero();
        assertThat(ram[4096]).as("rewritten by the END section").isEqualTo((byte) 0x44);
    }

    @Test
    void refusalIsOneLineWithTheOffsetAndExitOne() throws Exception {
        QemuLikeStream s = new QemuLikeStream();
        byte[] b = s.b.bytes();
        b[(int) s.cpuSection] = 0x09;
        Path file = Files.write(dir.resolve("bad.bin"), b);

        CliRun r = run("inspect", file.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).isEqualTo(String.format("godwit inspect: %s: unknown section type 0x09; expected one "
                + "of EOF, START, PART, END, FULL, COMMAND, CONFIGURATION, FOOTER, VMDESCRIPTION at offset 0x%x (%d)",
                file, s.cpuSection, s.cpuSection));
    }

    @Test
    void truncatedAndMissingFilesAreRefusedWithoutAStackTrace() throws Exception {
        Path cut = Files.write(dir.resolve("cut.bin"), java.util.Arrays.copyOf(new QemuLikeStream().b.bytes(), 100));

        CliRun truncated = run("inspect", "--json", cut.toString());
        CliRun missing = run("inspect", dir.resolve("absent.bin").toString());

        assertThat(truncated.exit()).isEqualTo(1);
        assertThat(truncated.err().strip()).isEqualTo("godwit inspect: " + cut + ": truncated: the file ends at 0x64, "
                + "expected 8 bytes at offset 0x5f (95)");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err().strip()).isEqualTo("godwit inspect: " + dir.resolve("absent.bin") + ": no such file");
    }
}

package io.godwit.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.godwit.cli.CliRun;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code godwit inspect} on a stream file real QEMU wrote: every section is accounted for, every
 * device in the trailer walks exactly, and the RAM it extracts is the guest's memory as QEMU dumps it.
 * Skipped, with the reason, where QEMU or the guest's toolchain is missing.
 */
@Timeout(120)
class QemuInspectTest {
    @TempDir
    Path dir;

    @BeforeEach
    void qemuAndGuest() {
        HostTools.qemu();
        GuestKernel.path();
    }

    @Test
    void extractedRamEqualsQemusOwnDumpAndEveryDeviceWalks() throws Exception {
        Path stream = dir.resolve("guest.state");
        Path dump = dir.resolve("guest.mem");
        long last;
        try (QemuGuest g = QemuGuest.start(dir, "guest")) {
            g.awaitCounterAbove(2, Duration.ofSeconds(30));
            g.saveTo(stream); // leaves the guest stopped, so the dump is the memory that was saved
            g.pmemsave(0, QemuGuest.RAM_SIZE, dump);
            last = g.lastCounter();
        }
        Path out = dir.resolve("ram");

        String json = inspect("inspect", "--json", "--extract-ram", out.toString(), stream.toString());

        JsonNode r = new ObjectMapper().readTree(json);
        assertThat(r.path("configuration").path("machine-type").asText()).isEqualTo(HostTools.defaultMachineType());
        assertThat(r.path("summary").path("eof").asBoolean()).isTrue();
        assertThat(r.path("summary").path("trailer").asBoolean()).isTrue();
        List<String> unwalked = new ArrayList<>();
        for (JsonNode d : r.path("devices")) {
            if (!d.path("bytes").isNull() && d.path("fields").isNull()) {
                unwalked.add(d.path("name").asText());
            }
        }
        assertThat(unwalked).as("devices sent but not walked").isEmpty();
        assertThat(r.path("devices").size()).isGreaterThan(10);

        JsonNode pcRam = null;
        for (JsonNode b : r.path("ram").path("blocks")) {
            if (b.path("name").asText().equals("pc.ram")) {
                pcRam = b;
            }
        }
        assertThat(pcRam).as("pc.ram in %s", r.path("ram")).isNotNull();
        assertThat(pcRam.path("length").asLong()).isEqualTo(QemuGuest.RAM_SIZE);
        // Below 1 MiB guest-physical addresses also show ROM and VGA windows; above it, up to the
        // RAM size, they are pc.ram itself.
        long from = 1L << 20;
        assertSameBytes(Path.of(pcRam.path("file").asText()), dump, from, QemuGuest.RAM_SIZE - from);
        GuestMemory.assertAbPattern(Path.of(pcRam.path("file").asText()), last);
    }

    private static void assertSameBytes(Path a, Path b, long offset, long length) throws IOException {
        try (FileChannel ca = FileChannel.open(a); FileChannel cb = FileChannel.open(b)) {
            var ma = ca.map(FileChannel.MapMode.READ_ONLY, offset, length);
            var mb = cb.map(FileChannel.MapMode.READ_ONLY, offset, length);
            int diff = ma.mismatch(mb);
            assertThat(diff).as("first differing byte at 0x%x", offset + diff).isEqualTo(-1);
        }
    }

    private static String inspect(String... args) {
        CliRun r = CliRun.run(args);
        assertThat(r.exit()).as("exit status; stderr: %s", r.err()).isZero();
        return r.out();
    }
}

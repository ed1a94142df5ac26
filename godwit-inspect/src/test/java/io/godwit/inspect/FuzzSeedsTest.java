package io.godwit.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.block.BlockDevice;
import io.godwit.device.PendingPolicy;
import io.godwit.machine.Machine;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.ram.RamBlock;
import io.godwit.reference.device.SyntheticDevice;
import io.godwit.stattrib.PageState;
import io.godwit.stattrib.StorageAttributes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes the streams the stream fuzz tests start from (their seed corpus, committed under
 * src/test/resources): a Godwit machine saved by the engine (RAM only, and with a zero disk, a
 * dirty bitmap, storage attributes and a device), the QEMU-like streams of these tests, and
 * streams saved by each QEMU found (a paused guest with 2 MiB of RAM, about 320 KiB). Runs only
 * when asked: {@code ./mvnw -pl godwit-inspect -am verify -Dtest=FuzzSeedsTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dgodwit.fuzz.seeds=write}.
 */
@EnabledIfSystemProperty(named = "godwit.fuzz.seeds", matches = "write")
class FuzzSeedsTest {
    /** The seed directories of the fuzz tests that read whole streams. */
    static final List<Path> CORPORA = List.of(
            Path.of("../godwit-core/src/test/resources/io/godwit/machine/IncomingStreamFuzzTestInputs/loadsOrRefuses"),
            Path.of("src/test/resources/io/godwit/inspect/StreamInspectorFuzzTestInputs/inspectsOrReports"));
    /** QEMU builds to save a stream with, and the arguments each needs. */
    static final List<List<String>> QEMUS = List.of(
            List.of("qemu-7.2", "/usr/bin/qemu-system-x86_64"),
            List.of("qemu-10.0", "/opt/godwit/qemu-10.0/usr/bin/qemu-system-x86_64", "-L",
                    "/opt/godwit/qemu-10.0/usr/share/qemu"));

    @TempDir
    Path dir;

    @Test
    void writesTheSeeds() throws Exception {
        seed("godwit-ram", godwitRam());
        seed("godwit-disk-bitmap-attributes-device", godwitEverything());
        seed("qemu-like", new QemuLikeStream().b.bytes());
        for (List<String> q : QEMUS) {
            if (Files.isExecutable(Path.of(q.get(1)))) {
                seed(q.get(0) + "-paused-2M", qemu(q.subList(1, q.size())));
            }
        }
    }

    private void seed(String name, byte[] stream) throws IOException {
        for (Path corpus : CORPORA) {
            Files.createDirectories(corpus);
            Files.write(corpus.resolve("seed-" + name), stream);
        }
    }

    /** The machine IncomingStreamFuzzTest's destination with RAM of its own matches. */
    private byte[] godwitRam() throws Exception {
        Path file = dir.resolve("ram.state");
        try (Machine m = new Machine("src")) {
            RamBlock ram = m.addRam("pc.ram", 64 << 10);
            for (long p = 0; p < ram.pages(); p += 3) {
                ram.putLong(p * 4096 + 16, p * 0x0101010101L + 1);
            }
            m.start();
            GodwitStreams.save(m, file, Capabilities.defaults());
        }
        return Files.readAllBytes(file);
    }

    private byte[] godwitEverything() throws Exception {
        Path file = dir.resolve("everything.state");
        try (Machine m = new Machine("src")) {
            m.addRam("pc.ram", 64 << 10).putLong(4096, 7);
            BlockDevice disk = BlockDevice.open("drive0", dir.resolve("drive0.img"), 64 << 10);
            m.addDisk(disk);
            disk.addBitmap("bm0", 4096, true, true); // the disk stays zero: a chunk is 1 MiB on the wire
            StorageAttributes attrs = m.enableStorageAttributes();
            attrs.set(3, PageState.UNUSED);
            m.addDevice(new SyntheticDevice("dev0", 8 << 10, 0, 0, false, 1), PendingPolicy.LEGACY);
            m.start();
            GodwitStreams.save(m, file, Capabilities.of(Capability.BLOCK, Capability.ZERO_BLOCKS,
                    Capability.DIRTY_BITMAPS));
        }
        return Files.readAllBytes(file);
    }

    /** A paused guest (no kernel: firmware and devices only) saved with migrate "exec:cat > FILE". */
    private byte[] qemu(List<String> qemuAndArgs) throws Exception {
        Path file = dir.resolve("qemu.state");
        List<String> cmd = new ArrayList<>(qemuAndArgs);
        cmd.addAll(List.of("-S", "-m", "2M", "-accel", "tcg", "-display", "none", "-nodefaults", "-qmp", "stdio"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (Writer w = p.outputWriter(); BufferedReader r = new BufferedReader(new InputStreamReader(
                p.getInputStream(), StandardCharsets.UTF_8))) {
            r.readLine(); // the greeting
            call(w, r, "{\"execute\": \"qmp_capabilities\"}");
            call(w, r, "{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"exec:cat > " + file + "\"}}");
            String status;
            do {
                String reply = call(w, r, "{\"execute\": \"query-migrate\"}");
                status = reply.replaceAll(".*\"status\": \"([a-z-]+)\".*", "$1");
            } while (!status.equals("completed") && !status.equals("failed"));
            assertThat(status).isEqualTo("completed");
            call(w, r, "{\"execute\": \"quit\"}");
        } finally {
            p.waitFor(30, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
        return Files.readAllBytes(file);
    }

    private static String call(Writer w, BufferedReader r, String command) throws IOException {
        w.write(command + "\n");
        w.flush();
        for (String line; (line = r.readLine()) != null; ) {
            if (!line.contains("\"event\"")) {
                return line;
            }
        }
        throw new IOException("QEMU closed QMP before answering " + command);
    }
}

package io.godwit.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.cli.Main;
import io.godwit.launch.GodwitProcess;
import io.godwit.qmp.QmpError;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Multifd with a real QEMU as the peer: a QEMU guest migrates live over two multifd channels to a
 * blank Godwit (with and without zstd), and Godwit relays the guest over multifd to another QEMU,
 * where it keeps counting. Skipped, with the reason, where QEMU, the guest's toolchain or QEMU's
 * zstd support is missing.
 */
@Timeout(120)
class QemuMultifdTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration START = Duration.ofMinutes(1);
    private static final int CHANNELS = 2;
    private static final Map<String, Object> AB_RANGE = Map.of("block", "pc.ram", "offset", QemuGuest.AB_START,
            "length", QemuGuest.AB_END - QemuGuest.AB_START);

    @TempDir
    Path dir;

    @BeforeEach
    void qemuAndGuest() {
        HostTools.qemu();
        GuestKernel.path();
    }

    private static Map<String, Object> multifdOn() {
        return Map.of("capabilities", List.of(Map.of("capability", "multifd", "state", true)));
    }

    private static Map<String, Object> multifdParams(String compression) {
        return Map.of("multifd-channels", CHANNELS, "multifd-compression", compression);
    }

    /** Multifd on a QEMU; skips the test when this QEMU cannot compress with {@code compression}. */
    private static void qemuMultifd(QemuGuest q, String compression) throws IOException {
        q.execute("migrate-set-capabilities", multifdOn());
        try {
            q.qmp().execute("migrate-set-parameters", multifdParams(compression));
        } catch (QmpError e) {
            Assumptions.abort(q.name() + " (" + HostTools.qemu() + ") refuses multifd-compression " + compression
                    + ": " + e.getMessage());
        }
        JsonNode p = q.execute("query-migrate-parameters");
        assertThat(p.path("multifd-compression").asText()).isEqualTo(compression);
        assertThat(p.path("multifd-channels").asInt()).isEqualTo(CHANNELS);
    }

    /** A blank Godwit listening for a multifd migration. */
    private GodwitProcess multifdGodwit(String compression) throws Exception {
        GodwitProcess g = Main.LAUNCHER.start(dir, "godwit", List.of("--incoming", "defer"), START);
        g.qmp().execute("migrate-set-capabilities", multifdOn());
        g.qmp().execute("migrate-set-parameters", multifdParams(compression));
        g.qmp().execute("migrate-incoming", Map.of("uri", "tcp:127.0.0.1:0"));
        return g;
    }

    private static JsonNode awaitGodwit(GodwitProcess g, String status) throws Exception {
        return GodwitPeer.awaitStatus(g, status, WAIT);
    }

    /** QEMU -> Godwit live over multifd; returns the guest's last counter on the source. */
    private static long qemuToGodwit(QemuGuest src, GodwitProcess godwit, String compression) throws Exception {
        qemuMultifd(src, compression);
        // QEMU's bandwidth estimate counts compressed bytes, a few MB/s for the guest's pages, so with
        // compression only a long downtime limit lets it switch over while the guest keeps writing
        src.execute("migrate-set-parameters", Map.of("max-bandwidth", 8L << 30, "downtime-limit",
                compression.equals("none") ? 5000 : 60_000));
        src.awaitCounterAbove(2, WAIT);
        src.migrate(godwit.incomingUri());
        try {
            src.awaitMigrationStatus("completed", WAIT);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nGodwit: " + godwit.qmp().execute("query-migrate") + "\n"
                    + godwit.tail(), e);
        }
        awaitGodwit(godwit, "completed");
        assertThat(src.runState()).isEqualTo("postmigrate");
        assertThat(GodwitPeer.runState(godwit)).isEqualTo("running");
        return src.lastCounter();
    }

    @ParameterizedTest(name = "multifd-compression {0}")
    @ValueSource(strings = {"none", "zstd"})
    void qemuMigratesOverMultifdToGodwitAndTheGuestMemoryPassesTheAbCheck(String compression) throws Exception {
        try (QemuGuest src = QemuGuest.start(dir, "qemu"); GodwitProcess godwit = multifdGodwit(compression)) {
            long last = qemuToGodwit(src, godwit, compression);

            JsonNode ab = godwit.qmp().execute("x-check-ab", AB_RANGE);
            assertThat(ab.path("passed").asBoolean()).as("%s", ab).isTrue();
            assertThat(ab.path("pages").asLong()).isEqualTo((QemuGuest.AB_END - QemuGuest.AB_START) / 4096);
            assertThat(ab.path("last-value").asInt()).isIn((int) (last & 0xff), (int) ((last + 1) & 0xff));
            assertThat(ab.path("value").asInt()).isIn((int) ((last + 1) & 0xff), (int) ((last + 2) & 0xff));
            // the pages came on the channels: QEMU counts what it wrote on them apart
            JsonNode ram = src.queryMigrate().path("ram");
            long abPages = (QemuGuest.AB_END - QemuGuest.AB_START) / 4096;
            assertThat(ram.path("normal").asLong()).as("%s", ram).isGreaterThan(abPages);
            assertThat(ram.path("multifd-bytes").asLong()).as("%s", ram)
                    .isGreaterThan(compression.equals("none") ? abPages * 4096 : 0);
            JsonNode caps = godwit.qmp().execute("query-migrate-capabilities");
            assertThat(caps.toString()).contains("{\"capability\":\"multifd\",\"state\":true}");
        }
    }

    @Test
    void guestRelayedThroughGodwitOverMultifdKeepsCountingOnTheLastQemu() throws Exception {
        try (QemuGuest src = QemuGuest.start(dir, "first"); GodwitProcess godwit = multifdGodwit("none");
                QemuGuest dst = QemuGuest.startIncoming(dir, "last")) {
            long last = qemuToGodwit(src, godwit, "none");
            qemuMultifd(dst, "none");
            int port = dst.migrateIncomingTcp();
            if (qemuMajor() < 9) { // zero pages in packets came with 9.0
                godwit.qmp().execute("migrate-set-parameters", Map.of("zero-page-detection", "legacy"));
            }
            if (qemuMajor() < 8) { // MULTIFD_FLUSH came with 8.0
                godwit.qmp().execute("migrate-set-parameters", Map.of("x-multifd-flush-after-each-section", true));
            }

            godwit.qmp().execute("migrate", Map.of("uri", "tcp:127.0.0.1:" + port));
            awaitGodwit(godwit, "completed");
            dst.awaitMigrationStatus("completed", WAIT);

            Path dump = dir.resolve("last.mem");
            GodwitPeer.assertGuestCarriedOn(dst, last, dump, WAIT);
        }
    }

    private static int qemuMajor() {
        String machine = HostTools.defaultMachineType();
        return Integer.parseInt(machine.substring("pc-i440fx-".length(), machine.indexOf('.')));
    }
}

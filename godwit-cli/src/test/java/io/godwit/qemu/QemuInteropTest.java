package io.godwit.qemu;

import io.godwit.cli.Main;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.launch.GodwitProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Godwit with a real QEMU: a live destination for a QEMU guest (with and without QEMU's return
 * path), and a relay that migrates the guest on to another QEMU where it keeps running.
 * Skipped, with the reason, where QEMU or the guest's toolchain is missing.
 */
@Timeout(120)
class QemuInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration START = Duration.ofMinutes(1);
    private static final Map<String, Object> AB_RANGE = Map.of("block", "pc.ram", "offset", QemuGuest.AB_START,
            "length", QemuGuest.AB_END - QemuGuest.AB_START);

    @TempDir
    Path dir;

    @BeforeEach
    void qemuAndGuest() {
        HostTools.qemu();
        GuestKernel.path();
    }

    /** A Godwit machine given nothing but --incoming: it takes the guest as it comes. */
    private GodwitProcess blankGodwit(String name) throws Exception {
        return Main.LAUNCHER.start(dir, name, List.of("--incoming", "tcp:127.0.0.1:0"), START);
    }

    /** Pre-copy cannot shrink what the guest dirties (all its 92 MiB, many times a second): lift the limits. */
    private static void liftLimits(QemuGuest src, boolean returnPath) throws IOException {
        src.execute("migrate-set-capabilities", Map.of("capabilities",
                List.of(Map.of("capability", "return-path", "state", returnPath))));
        src.execute("migrate-set-parameters", Map.of("max-bandwidth", 8L << 30, "downtime-limit", 5000));
    }

    private static JsonNode awaitGodwit(GodwitProcess g, String status) throws Exception {
        return GodwitPeer.awaitStatus(g, status, WAIT);
    }

    /** QEMU -> Godwit, live; returns the guest's last counter on the source. */
    private static long qemuToGodwit(QemuGuest src, GodwitProcess godwit, boolean returnPath) throws Exception {
        src.awaitCounterAbove(2, WAIT);
        liftLimits(src, returnPath);
        src.migrate(godwit.incomingUri());
        src.awaitMigrationStatus("completed", WAIT);
        awaitGodwit(godwit, "completed");
        assertThat(src.runState()).isEqualTo("postmigrate");
        assertThat(GodwitPeer.runState(godwit)).isEqualTo("running");
        return src.lastCounter();
    }

    @ParameterizedTest(name = "return-path {0}")
    @ValueSource(booleans = {false, true})
    void qemuMigratesLiveToGodwitAndTheGuestMemoryPassesTheAbCheck(boolean returnPath) throws Exception {
        try (QemuGuest src = QemuGuest.start(dir, "qemu"); GodwitProcess godwit = blankGodwit("godwit")) {
            long last = qemuToGodwit(src, godwit, returnPath);

            JsonNode ab = godwit.qmp().execute("x-check-ab", AB_RANGE);
            assertThat(ab.path("passed").asBoolean()).as("%s", ab).isTrue();
            assertThat(ab.path("pages").asLong()).isEqualTo((QemuGuest.AB_END - QemuGuest.AB_START) / 4096);
            // the sweep under way when QEMU stopped is the one after the last counter printed
            assertThat(ab.path("last-value").asInt()).isIn((int) (last & 0xff), (int) ((last + 1) & 0xff));
            assertThat(ab.path("value").asInt()).isIn((int) ((last + 1) & 0xff), (int) ((last + 2) & 0xff));
            JsonNode m = src.queryMigrate();
            assertThat(m.path("ram").path("transferred").asLong()).isGreaterThan(QemuGuest.AB_END - QemuGuest.AB_START);
        }
    }

    @Test
    void guestRelayedThroughGodwitKeepsCountingOnTheLastQemu() throws Exception {
        try (QemuGuest src = QemuGuest.start(dir, "first"); GodwitProcess godwit = blankGodwit("godwit");
                QemuGuest dst = QemuGuest.startIncoming(dir, "last")) {
            long last = qemuToGodwit(src, godwit, false);
            int port = dst.migrateIncomingTcp();

            godwit.qmp().execute("migrate", Map.of("uri", "tcp:127.0.0.1:" + port));
            awaitGodwit(godwit, "completed");
            dst.awaitMigrationStatus("completed", WAIT);

            Path dump = dir.resolve("last.mem");
            GodwitPeer.assertGuestCarriedOn(dst, last, dump, WAIT);
        }
    }

    @Test
    void godwitWithMemoryOfItsOwnRefusesAndTheGuestRunsOnInQemu() throws Exception {
        try (QemuGuest src = QemuGuest.start(dir, "qemu");
                GodwitProcess godwit = Main.LAUNCHER.start(dir, "godwit",
                        List.of("--ram", "64M", "--incoming", "tcp:127.0.0.1:0"), START)) {
            src.awaitCounterAbove(2, WAIT);
            liftLimits(src, true);
            src.migrate(godwit.incomingUri());

            JsonNode failed = awaitGodwit(godwit, "failed");
            assertThat(failed.path("error-desc").asText()).contains("machine type received is '" + HostTools.defaultMachineType() + "'");
            src.awaitMigrationStatus("failed", WAIT);
            assertThat(src.runState()).isEqualTo("running");
            long now = src.lastCounter();
            assertThat(src.awaitCounterAbove(now + 2, WAIT)).isGreaterThan(now + 2);
            assertThat(GodwitPeer.runState(godwit)).isNotEqualTo("running");
        }
    }
}

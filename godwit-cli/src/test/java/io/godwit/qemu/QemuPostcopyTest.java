package io.godwit.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.cli.Main;
import io.godwit.launch.GodwitProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real QEMU source switching to post-copy into a Godwit destination: QEMU's ADVISE, discards,
 * package and post-copy pages are loaded, and Godwit's page requests are served by QEMU. The
 * destination holds the guest's memory but does not run the guest, so it is the a-b check that
 * touches missing pages. Skipped, with the reason, where QEMU or the guest's toolchain is missing.
 */
@Timeout(180)
class QemuPostcopyTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Map<String, Object> AB_RANGE = Map.of("block", "pc.ram", "offset", QemuGuest.AB_START,
            "length", QemuGuest.AB_END - QemuGuest.AB_START);

    @TempDir
    Path dir;

    @BeforeEach
    void qemuAndGuest() {
        HostTools.qemu();
        GuestKernel.path();
    }

    private static JsonNode awaitGodwit(GodwitProcess g, String status) throws Exception {
        return GodwitPeer.awaitStatus(g, status, WAIT);
    }

    @Test
    void qemuFinishesInPostcopyIntoGodwitAndServesItsPageRequests() throws Exception {
        try (QemuGuest src = QemuGuest.start(dir, "qemu");
                GodwitProcess godwit = Main.LAUNCHER.start(dir, "godwit", List.of("--incoming", "tcp:127.0.0.1:0"),
                        Duration.ofMinutes(1))) {
            src.awaitCounterAbove(2, WAIT);
            godwit.qmp().execute("migrate-set-capabilities", Map.of("capabilities",
                    List.of(Map.of("capability", "postcopy-ram", "state", true))));
            src.execute("migrate-set-capabilities", Map.of("capabilities",
                    List.of(Map.of("capability", "postcopy-ram", "state", true))));
            // pre-copy cannot keep up with the guest; post-copy's background pages crawl until the check is done
            src.execute("migrate-set-parameters", Map.of("max-bandwidth", 32L << 20, "downtime-limit", 50,
                    "max-postcopy-bandwidth", 1L << 20));
            src.migrate(godwit.incomingUri());
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (src.queryMigrate().path("ram").path("dirty-sync-count").asLong() < 2) {
                assertThat(System.nanoTime()).as("two pre-copy passes in time").isLessThan(deadline);
                Thread.sleep(50);
            }
            src.execute("migrate-start-postcopy");
            src.awaitMigrationStatus("postcopy-active", WAIT);
            awaitGodwit(godwit, "postcopy-active");

            JsonNode ab = godwit.qmp().execute("x-check-ab", AB_RANGE);
            assertThat(ab.path("passed").asBoolean()).as("%s", ab).isTrue();
            // the check asked for every dirty page of the range at once: little may be left to send
            JsonNode during = godwit.qmp().execute("query-migrate");
            assertThat(during.path("status").asText()).isIn("postcopy-active", "completed");
            assertThat(during.path("postcopy-requests").asLong()).as("Godwit asked QEMU for pages").isPositive();
            assertThat(during.path("postcopy-fault-latency-us").path("count").asLong()).isPositive();

            src.execute("migrate-set-parameters", Map.of("max-postcopy-bandwidth", 0));
            src.awaitMigrationStatus("completed", WAIT);
            awaitGodwit(godwit, "completed");
            assertThat(src.queryMigrate().path("ram").path("postcopy-requests").asLong()).isPositive();
            assertThat(godwit.qmp().execute("x-check-ab", AB_RANGE).path("passed").asBoolean()).isTrue();
        }
    }

    /**
     * Godwit, holding a QEMU guest it took by pre-copy, finishes in post-copy into another QEMU: the
     * guest starts there with none of its memory, QEMU asks Godwit for the pages it touches, and
     * the guest goes on counting where it was.
     */
    @Test
    void godwitFinishesInPostcopyIntoQemuWhereTheGuestRunsOn() throws Exception {
        try (QemuGuest first = QemuGuest.start(dir, "first");
                GodwitProcess godwit = Main.LAUNCHER.start(dir, "godwit", List.of("--incoming", "tcp:127.0.0.1:0"),
                        Duration.ofMinutes(1));
                QemuGuest last = QemuGuest.startIncoming(dir, "last")) {
            first.awaitCounterAbove(2, WAIT);
            first.execute("migrate-set-parameters", Map.of("max-bandwidth", 8L << 30, "downtime-limit", 5000));
            first.migrate(godwit.incomingUri());
            first.awaitMigrationStatus("completed", WAIT);
            awaitGodwit(godwit, "completed");
            long counted = first.lastCounter();

            last.execute("migrate-set-capabilities", Map.of("capabilities",
                    List.of(Map.of("capability", "postcopy-ram", "state", true))));
            int port = last.migrateIncomingTcp();
            godwit.qmp().execute("migrate-set-capabilities", Map.of("capabilities",
                    List.of(Map.of("capability", "postcopy-ram", "state", true),
                            Map.of("capability", "events", "state", true))));
            godwit.qmp().drainEvents();
            godwit.qmp().execute("migrate", Map.of("uri", "tcp:127.0.0.1:" + port));
            godwit.qmp().execute("migrate-start-postcopy"); // at once: every page follows the switch
            JsonNode end = awaitGodwit(godwit, "completed");
            last.awaitMigrationStatus("completed", WAIT);

            assertThat(end.path("ram").path("postcopy-bytes").asLong()).isPositive();
            assertThat(end.path("ram").path("postcopy-requests").asLong()).as("pages the running guest touched first")
                    .isPositive();
            assertThat(godwit.qmp().drainEvents().stream().filter(e -> e.path("event").asText().equals("MIGRATION"))
                    .map(e -> e.path("data").path("status").asText()).toList())
                    .as("QEMU answered PING 0x42 as it answers every PING").containsSubsequence("postcopy-device",
                            "postcopy-active", "completed");
            assertThat(last.runState()).isEqualTo("running");
            last.awaitCounterAbove(counted + 3, WAIT);
            last.stop();
            Path dump = dir.resolve("last.mem");
            last.pmemsave(0, QemuGuest.RAM_SIZE, dump);
            GuestMemory.assertAbPattern(dump, last.lastCounter());
        }
    }
}

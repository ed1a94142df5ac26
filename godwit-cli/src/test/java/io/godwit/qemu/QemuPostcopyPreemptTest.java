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
 * postcopy-preempt with a real QEMU source: QEMU 7.2 opens the preempt channel at setup, beside the
 * main one and silent until its first page; the Godwit destination takes it as the preempt channel,
 * and the pages it asks for come there. Skipped, with the reason, where QEMU or the guest's
 * toolchain is missing.
 */
@Timeout(180)
class QemuPostcopyPreemptTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Map<String, Object> AB_RANGE = Map.of("block", "pc.ram", "offset", QemuGuest.AB_START,
            "length", QemuGuest.AB_END - QemuGuest.AB_START);
    private static final Map<String, Object> CAPS = Map.of("capabilities", List.of(
            Map.of("capability", "postcopy-ram", "state", true),
            Map.of("capability", "postcopy-preempt", "state", true)));

    @TempDir
    Path dir;

    @BeforeEach
    void qemuAndGuest() {
        HostTools.qemu();
        GuestKernel.path();
    }

    @Test
    void qemuSendsTheRequestedPagesOnThePreemptChannel() throws Exception {
        try (QemuGuest src = QemuGuest.start(dir, "qemu");
                GodwitProcess godwit = Main.LAUNCHER.start(dir, "godwit", List.of("--incoming", "tcp:127.0.0.1:0"),
                        Duration.ofMinutes(1))) {
            src.awaitCounterAbove(2, WAIT);
            godwit.qmp().execute("migrate-set-capabilities", CAPS);
            src.execute("migrate-set-capabilities", CAPS);
            // background pages crawl, so the a-b check's pages must be asked for
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
            JsonNode during = godwit.qmp().execute("query-migrate");
            assertThat(during.path("postcopy-requests").asLong()).as("Godwit asked QEMU for pages").isPositive();
            assertThat(during.path("postcopy-preempt-pages").asLong()).as("QEMU sent them on the preempt channel")
                    .isPositive();

            src.execute("migrate-set-parameters", Map.of("max-postcopy-bandwidth", 0));
            awaitGodwit(godwit, "completed");
            src.awaitMigrationStatus("completed", WAIT);
            assertThat(godwit.qmp().execute("x-check-ab", AB_RANGE).path("passed").asBoolean()).isTrue();
        }
    }

    /**
     * Godwit, holding a QEMU guest it took by pre-copy, finishes in post-copy into another QEMU with
     * postcopy-preempt: Godwit opens the preempt channel at the switch (as QEMU 8+ does), QEMU takes
     * it as the connection after the main one, and the guest goes on counting. A QEMU 7.2
     * destination waits for the preempt channel before it loads anything (7.2 sources open it at
     * setup), so it is skipped there.
     */
    @Test
    void godwitSendsRequestedPagesOnThePreemptChannelIntoQemu() throws Exception {
        try (QemuGuest first = QemuGuest.start(dir, "first");
                GodwitProcess godwit = Main.LAUNCHER.start(dir, "godwit", List.of("--incoming", "tcp:127.0.0.1:0"),
                        Duration.ofMinutes(1));
                QemuGuest last = QemuGuest.startIncoming(dir, "last")) {
            int major = last.execute("query-version").path("qemu").path("major").asInt();
            org.junit.jupiter.api.Assumptions.assumeTrue(major >= 8, "QEMU " + major + " as a preempt destination "
                    + "wants the channel at setup; Godwit opens it at the switch, as QEMU 8+ does");
            first.awaitCounterAbove(2, WAIT);
            first.execute("migrate-set-parameters", Map.of("max-bandwidth", 8L << 30, "downtime-limit", 5000));
            first.migrate(godwit.incomingUri());
            first.awaitMigrationStatus("completed", WAIT);
            awaitGodwit(godwit, "completed");
            long counted = first.lastCounter();

            last.execute("migrate-set-capabilities", CAPS);
            int port = last.migrateIncomingTcp();
            godwit.qmp().execute("migrate-set-capabilities", CAPS);
            // background pages crawl: what the running guest touches must be asked for
            godwit.qmp().execute("migrate-set-parameters", Map.of("max-postcopy-bandwidth", 4L << 20));
            godwit.qmp().execute("migrate", Map.of("uri", "tcp:127.0.0.1:" + port));
            godwit.qmp().execute("migrate-start-postcopy");
            awaitGodwit(godwit, "postcopy-active");
            last.awaitCounterAbove(counted + 3, WAIT);
            godwit.qmp().execute("migrate-set-parameters", Map.of("max-postcopy-bandwidth", 0));
            JsonNode end = awaitGodwit(godwit, "completed");
            last.awaitMigrationStatus("completed", WAIT);

            assertThat(end.path("ram").path("postcopy-requests").asLong()).as("pages the running guest touched first")
                    .isPositive();
            assertThat(last.runState()).isEqualTo("running");
            last.stop();
            Path dump = dir.resolve("last.mem");
            last.pmemsave(0, QemuGuest.RAM_SIZE, dump);
            GuestMemory.assertAbPattern(dump, last.lastCounter());
        }
    }

    private static JsonNode awaitGodwit(GodwitProcess g, String status) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode m = g.qmp().execute("query-migrate");
            if (m.path("status").asText().equals(status)) {
                return m;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(g.name() + ": no '" + status + "' in time; last " + m + "\n" + g.tail());
            }
            Thread.sleep(50);
        }
    }
}

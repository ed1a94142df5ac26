package io.godwit.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The QEMU fixture against a real QEMU: the guest boots and counts, QEMU migrates it live to
 * another QEMU, saves it to a file and dumps its memory. Skipped, with the reason, where QEMU or
 * the guest's toolchain is missing.
 */
@Timeout(60) // a hung QEMU fails the test instead of hanging the build; each takes a few seconds
class QemuFixtureTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    /** Per test rather than per class, so a skip counts each test as skipped in the reports. */
    @BeforeEach
    void qemuAndGuest() {
        HostTools.qemu();
        GuestKernel.path();
    }

    @Test
    void guestPrintsItsBannerAndCountsSweepsUntilStopped() throws Exception {
        try (QemuGuest g = QemuGuest.start(dir, "guest")) {
            long first = g.awaitCounterAbove(0, WAIT);
            assertThat(Files.readAllLines(g.serial()).getFirst()).isEqualTo(QemuGuest.BANNER);
            assertThat(g.awaitCounterAbove(first + 3, WAIT)).isGreaterThan(first + 3);

            g.stop();
            long stopped = g.lastCounter();
            Thread.sleep(300);
            assertThat(g.lastCounter()).as("counter of a stopped guest").isEqualTo(stopped);
            assertThat(g.runState()).isEqualTo("paused");

            g.cont();
            assertThat(g.awaitCounterAbove(stopped, WAIT)).isGreaterThan(stopped);
        }
    }

    @Test
    void migratesLiveToAnotherQemuOverTcpAndTheGuestCountsOnThere() throws Exception {
        try (QemuGuest src = QemuGuest.start(dir, "source");
                QemuGuest dst = QemuGuest.startIncoming(dir, "destination")) {
            src.awaitCounterAbove(2, WAIT);
            assertThat(dst.runState()).isEqualTo("inmigrate");
            int port = dst.migrateIncomingTcp();
            // The guest dirties all its 92 MiB many times a second, so pre-copy cannot shrink what
            // is left: the switch comes only once all of it fits the downtime limit at the link's
            // speed (with TCG sharing the CPUs, under 100 MB/s here). Lift both limits.
            src.execute("migrate-set-parameters", Map.of("max-bandwidth", 8L << 30, "downtime-limit", 5000));

            src.migrate("tcp:127.0.0.1:" + port);
            JsonNode m = src.awaitMigrationStatus("completed", Duration.ofSeconds(30));
            dst.awaitMigrationStatus("completed", WAIT);

            assertThat(m.path("ram").path("transferred").asLong()).isGreaterThan(QemuGuest.AB_END - QemuGuest.AB_START);
            assertThat(src.runState()).isEqualTo("postmigrate");
            assertThat(dst.runState()).isEqualTo("running");
            long last = src.lastCounter();
            assertThat(last).isGreaterThan(2);
            dst.awaitCounterAbove(last + 3, WAIT);
            // The guest carried on where it was (the rest of a line the source began may come first).
            assertThat(firstCounter(dst.serial())).isBetween(last + 1, last + 2);
            assertThat(Files.readString(dst.serial())).doesNotContain(QemuGuest.BANNER);

            dst.stop();
            Path dump = dir.resolve("destination.mem");
            dst.pmemsave(0, QemuGuest.RAM_SIZE, dump);
            GuestMemory.assertAbPattern(dump, dst.lastCounter());
        }
    }

    private static long firstCounter(Path serial) throws IOException {
        return Files.readAllLines(serial).stream().filter(l -> l.matches("counter \\d+")).findFirst()
                .map(l -> Long.parseLong(l.substring("counter ".length())))
                .orElseThrow(() -> new AssertionError("no counter line in " + serial));
    }

    @Test
    void aQemuThatExitsAtStartUpIsAnErrorWithWhatItSaid() {
        assertThatThrownBy(() -> QemuGuest.start(dir, "broken", "-no-such-option"))
                .isInstanceOf(IOException.class).hasMessageContaining("QEMU exited")
                .hasMessageContaining("-no-such-option").hasMessageContaining(dir.resolve("broken.log").toString());
    }

    @Test
    void savesAMigrationStreamToAFileAndDumpsAllMemory() throws Exception {
        try (QemuGuest g = QemuGuest.start(dir, "guest")) {
            g.awaitCounterAbove(2, WAIT);
            Path stream = dir.resolve("guest.stream");
            g.saveTo(stream);

            ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(stream), 0, 8);
            assertThat(head.getInt()).as("magic").isEqualTo(0x5145564d); // "QEVM"
            assertThat(head.getInt()).as("stream version").isEqualTo(3);
            assertThat(g.runState()).isEqualTo("postmigrate");

            Path dump = dir.resolve("guest.mem");
            g.pmemsave(0, QemuGuest.RAM_SIZE, dump);
            assertThat(Files.size(dump)).isEqualTo(QemuGuest.RAM_SIZE);
            GuestMemory.assertAbPattern(dump, g.lastCounter());
        }
    }
}

package io.godwit.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.launch.GodwitProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The Godwit process beside a QEMU guest in the interop tests: its migration status and run state. */
final class GodwitPeer {
    private GodwitPeer() {}

    /** Polls query-migrate until {@code status}; fails with the last reply and the log's tail past {@code wait}. */
    static JsonNode awaitStatus(GodwitProcess g, String status, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
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

    /** The first counter a guest printed on its serial console (a rebooted guest starts again at 0). */
    static long firstCounter(Path serial) throws IOException {
        return Files.readAllLines(serial).stream().filter(l -> l.matches("counter \\d+")).findFirst()
                .map(l -> Long.parseLong(l.substring("counter ".length())))
                .orElseThrow(() -> new AssertionError("no counter line in " + serial));
    }

    /**
     * The QEMU destination after a migration Godwit sent it: running, its guest counting on from
     * {@code last} (not rebooted), and its memory, saved to {@code dump} once stopped, holding the
     * a-b pattern up to its last counter.
     */
    static void assertGuestCarriedOn(QemuGuest dst, long last, Path dump, Duration wait) throws Exception {
        assertThat(dst.runState()).isEqualTo("running");
        dst.awaitCounterAbove(last + 3, wait);
        assertThat(firstCounter(dst.serial())).as("the guest carries on where it was, not from a reboot")
                .isBetween(last + 1, last + 2);
        assertThat(Files.readString(dst.serial())).doesNotContain(QemuGuest.BANNER);
        dst.stop();
        dst.pmemsave(0, QemuGuest.RAM_SIZE, dump);
        GuestMemory.assertAbPattern(dump, dst.lastCounter());
    }

    static String runState(GodwitProcess g) throws IOException {
        return g.qmp().execute("query-status").path("status").asText();
    }
}

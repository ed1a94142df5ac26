package io.godwit.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.cli.Main;
import io.godwit.launch.GodwitProcess;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * XBZRLE with a real QEMU as the peer: a QEMU guest migrates to a blank Godwit with xbzrle on the
 * QEMU source (Godwit decodes QEMU's deltas), and Godwit relays the guest to another QEMU with
 * xbzrle on its own side while bytes of the guest's pages change on Godwit (QEMU decodes Godwit's
 * deltas: the changed bytes are in the last QEMU's memory, and the guest keeps counting).
 * Skipped, with the reason, where QEMU or the guest's toolchain is missing.
 */
@Timeout(180)
class QemuXbzrleTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration START = Duration.ofMinutes(1);
    private static final Map<String, Object> AB_RANGE = Map.of("block", "pc.ram", "offset", QemuGuest.AB_START,
            "length", QemuGuest.AB_END - QemuGuest.AB_START);
    /** Pages Godwit changes while relaying: byte {@link #MARK_AT} of each, in the a-b range (the guest reads byte 0). */
    private static final long MARKED_PAGES = 4096;
    private static final long MARK_AT = 100;

    @TempDir
    Path dir;

    @BeforeEach
    void qemuAndGuest() {
        HostTools.qemu();
        GuestKernel.path();
    }

    private static Map<String, Object> xbzrleOn() {
        return Map.of("capabilities", List.of(Map.of("capability", "xbzrle", "state", true)));
    }

    /**
     * QEMU -> a blank Godwit, with xbzrle on QEMU: first with a downtime limit that cannot be met,
     * until QEMU has sent pages as deltas, then one that lets it complete.
     */
    private long qemuToGodwit(QemuGuest src, GodwitProcess godwit) throws Exception {
        src.execute("migrate-set-capabilities", xbzrleOn());
        src.execute("migrate-set-parameters", Map.of("max-bandwidth", 8L << 30, "downtime-limit", 1));
        src.awaitCounterAbove(2, WAIT);
        src.migrate(godwit.incomingUri());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (src.queryMigrate().path("xbzrle-cache").path("pages").asLong() < 1000) {
            assertThat(System.nanoTime() - deadline).as("QEMU encoding pages: %s", src.queryMigrate()).isNegative();
            assertThat(src.queryMigrate().path("status").asText()).isIn("setup", "active");
            Thread.sleep(50);
        }
        src.execute("migrate-set-parameters", Map.of("downtime-limit", 60_000));
        try {
            src.awaitMigrationStatus("completed", WAIT);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nGodwit: " + godwit.qmp().execute("query-migrate") + "\n"
                    + godwit.tail(), e);
        }
        GodwitPeer.awaitStatus(godwit, "completed", WAIT);
        assertThat(GodwitPeer.runState(godwit)).isEqualTo("running");
        return src.lastCounter();
    }

    private GodwitProcess blankGodwit() throws Exception {
        GodwitProcess g = Main.LAUNCHER.start(dir, "godwit", List.of("--incoming", "defer"), START);
        g.qmp().execute("migrate-incoming", Map.of("uri", "tcp:127.0.0.1:0"));
        return g;
    }

    @Test
    void qemuSendsDeltasToGodwitAndTheGuestMemoryPassesTheAbCheck() throws Exception {
        try (QemuGuest src = QemuGuest.start(dir, "qemu"); GodwitProcess godwit = blankGodwit()) {
            long last = qemuToGodwit(src, godwit);

            JsonNode x = src.queryMigrate().path("xbzrle-cache");
            assertThat(x.path("pages").asLong()).as("%s", x).isGreaterThanOrEqualTo(1000);
            assertThat(x.path("bytes").asLong()).as("deltas of a changed byte or so: %s", x)
                    .isLessThan(x.path("pages").asLong() * 1024);
            JsonNode ab = godwit.qmp().execute("x-check-ab", AB_RANGE);
            assertThat(ab.path("passed").asBoolean()).as("%s", ab).isTrue();
            assertThat(ab.path("last-value").asInt()).isIn((int) (last & 0xff), (int) ((last + 1) & 0xff));
        }
    }

    @Test
    void godwitSendsDeltasToQemuWhichAppliesThemAndTheGuestKeepsCounting() throws Exception {
        try (QemuGuest src = QemuGuest.start(dir, "first"); GodwitProcess godwit = blankGodwit();
                QemuGuest dst = QemuGuest.startIncoming(dir, "last")) {
            long last = qemuToGodwit(src, godwit);
            dst.execute("migrate-set-capabilities", xbzrleOn());
            int port = dst.migrateIncomingTcp();
            godwit.qmp().execute("migrate-set-capabilities", xbzrleOn());
            // a threshold of one byte: no switch while the pages keep changing
            godwit.qmp().execute("migrate-set-parameters", Map.of("avail-switchover-bandwidth", 1,
                    "downtime-limit", 1000));
            godwit.qmp().execute("migrate", Map.of("uri", "tcp:127.0.0.1:" + port));

            int value = markUntilEncoded(godwit);
            godwit.qmp().execute("migrate-set-parameters", Map.of("avail-switchover-bandwidth", 0,
                    "downtime-limit", 2000, "max-bandwidth", 0));
            JsonNode info = GodwitPeer.awaitStatus(godwit, "completed", WAIT);
            dst.awaitMigrationStatus("completed", WAIT);

            JsonNode x = info.path("xbzrle-cache");
            assertThat(x.path("pages").asLong()).as("%s", info).isGreaterThan(MARKED_PAGES);
            assertThat(x.path("bytes").asLong()).as("a byte changed per page: %s", x)
                    .isLessThan(x.path("pages").asLong() * 16);
            Path dump = dir.resolve("last.mem");
            GodwitPeer.assertGuestCarriedOn(dst, last, dump, WAIT);
            assertMarked(dump, value);
        }
    }

    /**
     * Changes byte MARK_AT of the marked pages on Godwit, over and over (a writer in Godwit, so that
     * no sync finds them clean), until Godwit has encoded them twice over; then writes a last value
     * once and returns it.
     */
    private static int markUntilEncoded(GodwitProcess godwit) throws Exception {
        Map<String, Object> marks = Map.of("block", "pc.ram", "offset", QemuGuest.AB_START + MARK_AT,
                "count", MARKED_PAGES, "stride", 4096);
        godwit.qmp().execute("x-ram-write", with(marks, Map.of("value", 1, "repeat", true)));
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode q;
        while ((q = godwit.qmp().execute("query-migrate")).path("xbzrle-cache").path("pages").asLong()
                <= 2 * MARKED_PAGES) {
            assertThat(q.path("status").asText()).as("%s", q).isIn("setup", "active");
            assertThat(System.nanoTime() - deadline).as("Godwit encoding pages: %s", q).isNegative();
            Thread.sleep(20);
        }
        // With a threshold of 0 the loop completes once a sync finds nothing dirty, which the
        // moment between stopping the writer and the last write could be: at 64 KiB/s the pass
        // that sends what the writer left dirty lasts about a second, so the last write lands in it.
        godwit.qmp().execute("migrate-set-parameters", Map.of("max-bandwidth", 64 << 10));
        int last = 0xa5;
        godwit.qmp().execute("x-ram-write", with(marks, Map.of("value", last))); // stops the writer first
        JsonNode after = godwit.qmp().execute("query-migrate");
        assertThat(after.path("status").asText()).as("the last write came before the switch: %s", after)
                .isEqualTo("active");
        return last;
    }

    private static Map<String, Object> with(Map<String, Object> a, Map<String, Object> b) {
        Map<String, Object> m = new java.util.LinkedHashMap<>(a);
        m.putAll(b);
        return m;
    }

    private static void assertMarked(Path dump, int value) throws Exception {
        try (FileChannel ch = FileChannel.open(dump)) {
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, QemuGuest.AB_START, MARKED_PAGES * 4096);
            for (int p = 0; p < MARKED_PAGES; p++) {
                int got = b.get(p * 4096 + (int) MARK_AT) & 0xff;
                if (got != value) {
                    throw new AssertionError(String.format("page 0x%x: byte %d is 0x%02x on the last QEMU; Godwit "
                            + "wrote 0x%02x last", QemuGuest.AB_START + p * 4096L, MARK_AT, got, value));
                }
            }
        }
    }
}

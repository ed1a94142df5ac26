package io.godwit.migration;

import io.godwit.qmp.MigrationReplies;
import static io.godwit.migration.LoopRig.params;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.stats.Counter;
import io.godwit.stats.MigrationCounters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** MigrationReplies.of(MigrationInfo): query-migrate's keys, and only those QEMU shows in each status. */
class MigrationInfoTest {
    static final List<String> RAM_KEYS = List.of("transferred", "remaining", "total", "duplicate", "normal",
            "normal-bytes", "mbps", "dirty-sync-count", "dirty-pages-rate", "pages-per-second", "precopy-bytes",
            "downtime-bytes", "postcopy-bytes", "postcopy-requests", "page-size");

    static final MigrationInfo.Ram RAM =
            new MigrationInfo.Ram(1, 2, 3, 4, 5, 6, 7.5, 8, 9, 10.9, 11, 12, 13, 14, 15, 4096);

    private static MigrationInfo info(MigrationStatus s, long downtime, long expected, String error) {
        return new MigrationInfo(s, error, 1234, 56, downtime, expected, 777, RAM, java.util.List.of(), null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> ram(Map<String, Object> qmp) {
        return (Map<String, Object>) qmp.get("ram");
    }

    @Test
    void noneShowsOnlyTheStatus() {
        assertThat(MigrationReplies.of(info(MigrationStatus.NONE, -1, -1, null))).containsExactly(Map.entry("status", "none"));
    }

    @Test
    void activeShowsExpectedDowntimeAndNoDowntime() {
        Map<String, Object> q = MigrationReplies.of(info(MigrationStatus.ACTIVE, 99, 42, null));
        assertThat(q).containsEntry("status", "active").containsEntry("total-time", 1234L)
                .containsEntry("setup-time", 56L).containsEntry("expected-downtime", 42L)
                .doesNotContainKeys("downtime", "error-desc");
        assertThat(ram(q)).containsKeys(RAM_KEYS.toArray(String[]::new));
    }

    @Test
    void activeWithoutAnEstimateShowsNoExpectedDowntime() {
        assertThat(MigrationReplies.of(info(MigrationStatus.ACTIVE, -1, -1, null))).doesNotContainKeys("expected-downtime", "downtime");
    }

    @Test
    void completedShowsDowntimeAndNoExpectedDowntime() {
        Map<String, Object> q = MigrationReplies.of(info(MigrationStatus.COMPLETED, 17, 42, null));
        assertThat(q).containsEntry("status", "completed").containsEntry("downtime", 17L)
                .doesNotContainKey("expected-downtime");
        assertThat(ram(q)).containsKeys(RAM_KEYS.toArray(String[]::new));
    }

    @Test
    void neitherDowntimeShowsOnceItFailed() {
        Map<String, Object> q = MigrationReplies.of(info(MigrationStatus.FAILED, 17, 42, "link down"));
        assertThat(q).containsEntry("status", "failed").containsEntry("error-desc", "link down")
                .doesNotContainKeys("downtime", "expected-downtime");
    }

    @Test
    void ramKeysCarryTheirOwnFigures() {
        Map<String, Object> r = ram(MigrationReplies.of(info(MigrationStatus.ACTIVE, -1, -1, null)));
        assertThat(r).containsEntry("transferred", 1L).containsEntry("remaining", 2L).containsEntry("total", 3L)
                .containsEntry("duplicate", 4L).containsEntry("normal", 5L).containsEntry("normal-bytes", 6L)
                .containsEntry("mbps", 7.5).containsEntry("dirty-sync-count", 8L)
                .containsEntry("dirty-pages-rate", 9L).containsEntry("pages-per-second", 10L)
                .containsEntry("precopy-bytes", 11L).containsEntry("downtime-bytes", 12L)
                .containsEntry("postcopy-bytes", 13L).containsEntry("postcopy-requests", 14L)
                .containsEntry("page-size", 4096L);
    }

    @Test
    void dirtyTrackingShowsInsideRamWhenKnown() {
        MigrationInfo.Ram withTracking = new MigrationInfo.Ram(1, 2, 3, 4, 5, 6, 7.5, 8, 9, 10.9, 11, 12, 13, 14, 15,
                4096, "kernel");
        MigrationInfo i = new MigrationInfo(MigrationStatus.ACTIVE, null, 1, 1, -1, -1, 0, withTracking, List.of(), null);
        assertThat(ram(MigrationReplies.of(i))).containsEntry("dirty-tracking", "kernel");
        assertThat(ram(MigrationReplies.of(info(MigrationStatus.ACTIVE, -1, -1, null)))).doesNotContainKey("dirty-tracking");
    }

    private static MigrationInfo postcopy(MigrationStatus s, MigrationInfo.Postcopy pc) {
        return new MigrationInfo(s, null, 1234, 56, 17, 42, 777, RAM, List.of(), null, pc);
    }

    @Test
    void postcopyActiveShowsTheDowntimeThatIsOver() {
        Map<String, Object> q = MigrationReplies.of(postcopy(MigrationStatus.POSTCOPY_ACTIVE, null));
        assertThat(q).containsEntry("status", "postcopy-active").containsEntry("downtime", 17L)
                .doesNotContainKey("expected-downtime");
    }

    @Test
    void theSourceShowsOnlyTheTimeInPostcopy() {
        Map<String, Object> q = MigrationReplies.of(postcopy(MigrationStatus.COMPLETED,
                new MigrationInfo.Postcopy(300, -1, -1, -1, null)));
        assertThat(q).containsEntry("postcopy-time", 300L).doesNotContainKeys("postcopy-requests",
                "postcopy-bytes", "postcopy-latency", "postcopy-fault-latency-us", "postcopy-blocktime");
    }

    @Test
    void theDestinationShowsRequestsBytesLatencyAndBlocktime() {
        MigrationInfo.Latency l = new MigrationInfo.Latency(9, 120, 900, 1500, 150_000);
        Map<String, Object> q = MigrationReplies.of(postcopy(MigrationStatus.COMPLETED,
                new MigrationInfo.Postcopy(310, 9, 9 * 4096, 4, l)));
        assertThat(q).containsEntry("postcopy-time", 310L).containsEntry("postcopy-requests", 9L)
                .containsEntry("postcopy-bytes", 9L * 4096).containsEntry("postcopy-latency", 150_000L)
                .containsEntry("postcopy-blocktime", 4L)
                .containsEntry("postcopy-fault-latency-us", Map.of("count", 9L, "p50", 120L, "p99", 900L, "max", 1500L));
        MigrationInfo withoutBlocktime = postcopy(MigrationStatus.COMPLETED,
                new MigrationInfo.Postcopy(310, 9, 9 * 4096, -1, l));
        assertThat(MigrationReplies.of(withoutBlocktime)).doesNotContainKey("postcopy-blocktime");
    }

    @Test
    void noPostcopyFiguresWithoutPostcopy() {
        assertThat(MigrationReplies.of(info(MigrationStatus.COMPLETED, 17, 42, null)))
                .doesNotContainKeys("postcopy-time", "postcopy-requests", "postcopy-blocktime");
    }

    @Test
    void ramFiguresComeFromTheCounters() {
        MigrationCounters c = new MigrationCounters();
        c.set(Counter.TRANSFERRED, 100_000);
        c.set(Counter.NORMAL_PAGES, 3);
        c.set(Counter.ZERO_PAGES, 7);
        c.set(Counter.RAM_REMAINING, 8192);
        c.set(Counter.RAM_TOTAL, 1 << 20);
        c.set(Counter.DIRTY_SYNC_COUNT, 4);
        c.setRates(12.5, 250.0);
        MigrationInfo.Ram r = MigrationInfo.Ram.of(c);
        assertThat(r.transferred()).isEqualTo(100_000);
        assertThat(r.normal()).isEqualTo(3);
        assertThat(r.normalBytes()).isEqualTo(3 * 4096);
        assertThat(r.duplicate()).isEqualTo(7);
        assertThat(r.remaining()).isEqualTo(8192);
        assertThat(r.total()).isEqualTo(1 << 20);
        assertThat(r.dirtySyncCount()).isEqualTo(4);
        assertThat(r.mbps()).isEqualTo(12.5);
        assertThat(r.pagesPerSecond()).isEqualTo(250.0);
        assertThat(r.pageSize()).isEqualTo(4096);
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aRunningMigrationReportsVirtualTimeAndCompletesWithDowntime() {
        List<Map<String, Object>> during = new ArrayList<>();
        List<Long> clockAt = new ArrayList<>();
        try (LoopRig rig = new LoopRig(4_096_000)) {
            rig.handler("dev").iterateBytes(4096 - ScriptedHandler.PART_FRAMING)
                    .estimate((i, t) -> i < 300 ? 1L << 30 : 0)
                    .onIteration((i, t) -> {
                        if (i == 250) {
                            during.add(MigrationReplies.of(rig.migration().info()));
                            clockAt.add(rig.clock.nanoTime());
                        }
                    });
            long start = rig.clock.nanoTime();
            Migration m = rig.migration(params(300, 0, 0));
            m.run();

            Map<String, Object> d = during.getFirst();
            assertThat(d).containsEntry("status", "active").doesNotContainKey("downtime")
                    .containsEntry("total-time", (clockAt.getFirst() - start) / 1_000_000);
            Map<String, Object> q = MigrationReplies.of(m.info());
            assertThat(q).containsEntry("status", "completed").containsKey("downtime")
                    .doesNotContainKey("expected-downtime")
                    .containsEntry("total-time", (rig.clock.nanoTime() - start) / 1_000_000);
            assertThat((Long) q.get("downtime")).isNotNegative();
            assertThat((Long) q.get("total-time")).isGreaterThanOrEqualTo((Long) q.get("setup-time"));
            assertThat(ram(q)).containsEntry("transferred", rig.link.bytesSent());
            assertThat((Long) ram(q).get("precopy-bytes") + (Long) ram(q).get("downtime-bytes"))
                    .isEqualTo(rig.link.bytesSent());
        }
    }
}

package io.godwit.migration;

import static io.godwit.migration.LoopRig.params;
import static io.godwit.migration.ScriptedHandler.Kind.ESTIMATE;
import static io.godwit.migration.ScriptedHandler.Kind.EXACT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Non-convergence, then convergence, the way QEMU's own tests force it: a workload that keeps more
 * pending than the threshold allows holds the migration in pre-copy however long it runs; raising
 * downtime-limit or max-bandwidth mid-migration lets it complete. The parameters are changed from
 * inside a handler, on the loop's own thread, so virtual time stays deterministic.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a broken loop spins on virtual time
class ConvergenceTest {
    static final long LINK = 65_536_000;
    static final int CHUNK = 65_536 - ScriptedHandler.PART_FRAMING; // 1 ms per iteration on this link
    static final int K = 500;

    @Test
    void doesNotConvergeUntilTheDowntimeLimitIsRaised() {
        long pending = 40L << 20; // 2 x what 300 ms at 65.5 MB/s allows
        List<MigrationStatus> seen = new ArrayList<>();
        try (LoopRig rig = new LoopRig(LINK)) {
            ScriptedHandler h = rig.handler("dev").iterateBytes(CHUNK)
                    .estimate((i, t) -> pending)
                    .onIteration((i, t) -> {
                        Migration m = rig.migration();
                        seen.add(m.status());
                        if (i == K) {
                            m.setParameters(m.parameters().withDowntimeLimitMs(1000));
                        }
                    });
            Migration m = rig.migration(params(300, 0, 0));
            m.run();

            assertThat(seen.subList(0, K)).containsOnly(MigrationStatus.ACTIVE);
            assertThat(h.calls(ESTIMATE).subList(0, K))
                    .allSatisfy(c -> assertThat(c.thresholdSize()).isLessThan(pending));
            assertThat(h.calls(EXACT)).allSatisfy(c -> assertThat(c.iteration()).isGreaterThan(K));
            int done = h.completedAt();
            // the threshold is the slowest of the last five windows: the faster link counts once the slow ones age out
            assertThat(done).as("completes within six windows of the change").isBetween(K + 1, K + 600);
            assertThat(h.thresholdAt(done)).isEqualTo(LINK / 1000 * 1000); // 65,536 bytes/ms x 1000 ms
            assertThat(m.status()).isEqualTo(MigrationStatus.COMPLETED);
        }
    }

    @Test
    void doesNotConvergeUntilMaxBandwidthIsRaised() {
        long pending = 10L << 20;
        List<MigrationStatus> seen = new ArrayList<>();
        try (LoopRig rig = new LoopRig(LINK)) {
            ScriptedHandler h = rig.handler("dev").iterateBytes(CHUNK)
                    .estimate((i, t) -> pending)
                    .onIteration((i, t) -> {
                        Migration m = rig.migration();
                        seen.add(m.status());
                        if (i == K) {
                            m.setParameters(m.parameters().withMaxBandwidth(0));
                        }
                    });
            // a tenth of the link: the threshold stays near 6.5 MB/s x 300 ms, under what is pending
            Migration m = rig.migration(params(300, LINK / 10, 0));
            m.run();

            assertThat(seen.subList(0, K)).containsOnly(MigrationStatus.ACTIVE);
            assertThat(h.thresholdAt(K)).isPositive().isLessThan(pending / 4);
            assertThat(h.calls(ESTIMATE).subList(0, K))
                    .allSatisfy(c -> assertThat(c.thresholdSize()).isLessThan(pending));
            assertThat(rig.clock.nanoTime() - rig.activeAt()).as("K iterations took seconds of virtual time")
                    .isGreaterThan(4_000_000_000L);
            int done = h.completedAt();
            // the threshold is the slowest of the last five windows: the faster link counts once the slow ones age out
            assertThat(done).as("completes within six windows of the change").isBetween(K + 1, K + 600);
            assertThat(h.thresholdAt(done)).isGreaterThanOrEqualTo(pending);
            assertThat(m.status()).isEqualTo(MigrationStatus.COMPLETED);
        }
    }
}

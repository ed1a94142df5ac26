package io.godwit.migration;

import static io.godwit.migration.LoopRig.params;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The switch's fixed costs in the loop, on virtual time: a handler whose completion costs 60 ms
 * whatever it sends (a slow device state) makes a switch decided on bandwidth x downtime-limit
 * overshoot the limit by those 60 ms; the node remembers what the switch cost beyond its bytes,
 * and the next migration from it leaves that out of the limit and stays within it.
 *
 * <p>The link carries 65,536,000 bytes/s (65,536 bytes/ms), an iteration sends 64 KiB (1 ms), and
 * the handler's pending figure falls by that much per iteration from 40 MiB; at the switch it
 * sends what is still pending.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SwitchCostLoopTest {
    private static final long LINK = ThresholdTest.LINK;
    private static final long LIMIT = 300;
    private static final long COMPLETE_COST_MS = 60;
    private static final long START = 40L << 20;

    @Test
    void aFixedCostOvershootsTheOldThresholdAndTheNextSwitchCountsIt() {
        SwitchHistory node = new SwitchHistory();

        Outcome first = migrate(node);
        assertThat(first.thresholdSize).as("no history: the old threshold").isEqualTo(LINK / 1000 * LIMIT);
        assertThat(first.downtimeMs).as("bytes fill the limit, the completion's cost comes on top")
                .isGreaterThan(LIMIT).isGreaterThanOrEqualTo(LIMIT + COMPLETE_COST_MS - 2);
        assertThat((double) node.restNanos()).as("what the switch cost beyond its bytes")
                .isCloseTo(COMPLETE_COST_MS * 1e6, within(1e6));

        Outcome second = migrate(node);
        assertThat(second.thresholdSize).as("bandwidth x (limit - 60 ms)")
                .isCloseTo(LINK / 1000 * (LIMIT - COMPLETE_COST_MS), within(LINK / 1000));
        assertThat(second.downtimeMs).isLessThanOrEqualTo(LIMIT).isGreaterThanOrEqualTo(LIMIT - 5);
        assertThat(second.fixed.restNanos()).isEqualTo(first.restAfter);
    }

    private record Outcome(long downtimeMs, long thresholdSize, SwitchCost fixed, long restAfter) {}

    private static Outcome migrate(SwitchHistory node) {
        try (LoopRig rig = new LoopRig(LINK)) {
            ScriptedHandler[] h = new ScriptedHandler[1];
            h[0] = rig.handler("dev").iterateBytes(ThresholdTest.FULL)
                    .estimate((i, t) -> pendingAt(i))
                    .onComplete((i, t) -> {
                        h[0].completeBytes((int) pendingAt(i));
                        rig.clock.advanceMillis(COMPLETE_COST_MS);
                    });
            Migration m = rig.migration(params(LIMIT, 0, 0)).switchHistory(node);
            m.run();
            assertThat(m.status()).isEqualTo(MigrationStatus.COMPLETED);
            return new Outcome(m.info().downtimeMs(), m.info().thresholdSize(), m.switchCost(), node.restNanos());
        }
    }

    /** What the handler says is left before iteration {@code i} (1-based): 64 KiB less per iteration. */
    private static long pendingAt(int i) {
        return Math.max(0, START - (long) (i - 1) * 65_536);
    }
}

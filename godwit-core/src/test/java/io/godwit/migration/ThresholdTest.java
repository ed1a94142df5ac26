package io.godwit.migration;

import static io.godwit.migration.LoopRig.params;
import static io.godwit.migration.MigrationLoopTest.range;
import static io.godwit.migration.ScriptedHandler.Kind.ESTIMATE;
import static io.godwit.migration.ScriptedHandler.Kind.EXACT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.godwit.migration.ScriptedHandler.Call;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The threshold the loop hands to the handlers: bandwidth measured over 100 ms windows times
 * downtime-limit, or avail-switchover-bandwidth times downtime-limit when that is set; 0 until
 * the first window closes.
 *
 * <p>Timing used below: the link carries 65,536,000 bytes/s and an iteration sends 65,536 bytes,
 * so an iteration takes 1 ms. The stream hands its last 4 KiB buffer of an iteration to the link
 * only when the next one starts, so the clock lags the byte count by 62.5 us: iteration k ends
 * at k ms - 62.5 us after the loop starts. The first window therefore closes at the end of
 * iteration 101 (100.9375 ms, with one buffer too many counted: a little over the link's speed)
 * and the second at the end of iteration 201, measuring the link exactly: 65,536 bytes/ms.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a broken loop spins on virtual time
class ThresholdTest {
    static final long LINK = 65_536_000;
    static final int HALF = 32_768 - ScriptedHandler.PART_FRAMING; // two handlers: 64 KiB per iteration
    static final int FULL = 65_536 - ScriptedHandler.PART_FRAMING;
    static final long DOWNTIME = 300;
    static final long T = LINK / 1000 * DOWNTIME; // 19,660,800

    @Test
    void handlersGetBandwidthTimesDowntimeLimitForEstimateAndExact() {
        try (LoopRig rig = new LoopRig(LINK)) {
            ScriptedHandler a = rig.handler("a").iterateBytes(HALF)
                    .estimate((i, t) -> i <= 350 ? 100L << 20 : 1000)
                    .exact((i, t) -> i <= 355 ? 50L << 20 : 1000);
            ScriptedHandler b = rig.handler("b").iterateBytes(HALF).estimate((i, t) -> 0);
            Migration m = rig.migration(params(DOWNTIME, 0, 0));
            m.run();

            assertThat(a.completedAt()).isEqualTo(356);
            for (ScriptedHandler h : List.of(a, b)) {
                assertThat(h.iterations(ESTIMATE)).containsExactlyElementsOf(range(1, 356));
                assertThat(h.iterations(EXACT)).containsExactlyElementsOf(range(351, 356));
                List<Call> est = h.calls(ESTIMATE);
                assertThat(est.subList(0, 101)).allSatisfy(c -> assertThat(c.thresholdSize()).isZero());
                long firstWindow = est.get(101).thresholdSize();
                assertThat(firstWindow).isBetween(T, T + T / 1000);
                assertThat(est.subList(101, 201))
                        .allSatisfy(c -> assertThat(c.thresholdSize()).isEqualTo(firstWindow));
                assertThat(est.subList(201, 356)).allSatisfy(c -> assertThat(c.thresholdSize()).isEqualTo(T));
                assertThat(h.calls(EXACT)).allSatisfy(c -> assertThat(c.thresholdSize()).isEqualTo(T));
            }
            assertThat(a.nanosAt(102) - rig.activeAt()).isEqualTo(100_937_500L);
            assertThat(m.info().thresholdSize()).isEqualTo(T);
        }
    }

    @Test
    void thresholdFollowsTheLinkWhenItSlowsDownAndSpeedsUp() {
        long slow = LINK / 4;
        long slowT = slow / 1000 * DOWNTIME;
        long[] changedAt = new long[2];
        try (LoopRig rig = new LoopRig(LINK)) {
            ScriptedHandler h = rig.handler("dev").iterateBytes(FULL)
                    .onIteration((i, t) -> {
                        if (i == 300) {
                            rig.link.setBytesPerSecond(slow);
                            changedAt[0] = rig.clock.nanoTime();
                        } else if (i == 500) {
                            rig.link.setBytesPerSecond(LINK);
                            changedAt[1] = rig.clock.nanoTime();
                        }
                    })
                    .estimate((i, t) -> i < 1200 ? 1L << 30 : 0);
            rig.migration(params(DOWNTIME, 0, 0)).run();

            assertThat(h.completedAt()).isEqualTo(1200);
            assertThat(h.thresholdAt(300)).isEqualTo(T);
            List<Call> slowPhase = between(h, changedAt[0], changedAt[1]);
            // the first window that closes after the change already shows the slower link
            assertThat(slowPhase.stream().mapToLong(Call::thresholdSize).filter(t -> t != T).findFirst()
                    .orElseThrow()).isLessThan(T);
            assertThat(settled(slowPhase, changedAt[0]))
                    .isNotEmpty()
                    .allSatisfy(c -> assertThat((double) c.thresholdSize()).isCloseTo(slowT, within(slowT * 0.01)));
            List<Call> fastAgain = between(h, changedAt[1], Long.MAX_VALUE);
            assertThat(settled(fastAgain, changedAt[1]))
                    .isNotEmpty()
                    .allSatisfy(c -> assertThat((double) c.thresholdSize()).isCloseTo(T, within(T * 0.01)));
        }
    }

    @Test
    void availSwitchoverBandwidthReplacesTheMeasuredBandwidth() {
        long[] changedAt = new long[2];
        try (LoopRig rig = new LoopRig(LINK)) {
            ScriptedHandler h = rig.handler("dev").iterateBytes(FULL)
                    .onIteration((i, t) -> {
                        Migration m = rig.migration();
                        if (i == 250) {
                            m.setParameters(m.parameters().withAvailSwitchoverBandwidth(20_000_000));
                            changedAt[0] = rig.clock.nanoTime();
                        } else if (i == 1000) {
                            m.setParameters(m.parameters().withAvailSwitchoverBandwidth(0));
                            changedAt[1] = rig.clock.nanoTime();
                        }
                    })
                    .estimate((i, t) -> i < 1700 ? 1L << 30 : 0);
            rig.migration(params(DOWNTIME, 0, 10_000_000)).run();

            List<Call> est = h.calls(ESTIMATE);
            assertThat(est.subList(0, 101)).as("no threshold before the first window")
                    .allSatisfy(c -> assertThat(c.thresholdSize()).isZero());
            assertThat(est.subList(101, 250)).as("10,000,000 B/s x 300 ms, whatever the link does")
                    .allSatisfy(c -> assertThat(c.thresholdSize()).isEqualTo(3_000_000));
            assertThat(between(h, changedAt[0], changedAt[1]))
                    .allSatisfy(c -> assertThat(c.thresholdSize()).isIn(3_000_000L, 6_000_000L));
            assertThat(settled(between(h, changedAt[0], changedAt[1]), changedAt[0]))
                    .isNotEmpty()
                    .allSatisfy(c -> assertThat(c.thresholdSize()).isEqualTo(6_000_000));
            assertThat(settled(between(h, changedAt[1], Long.MAX_VALUE), changedAt[1]))
                    .as("back to the measured bandwidth")
                    .isNotEmpty()
                    .allSatisfy(c -> assertThat(c.thresholdSize()).isEqualTo(T));
        }
    }

    /** Estimate calls that started in [from, to). */
    private static List<Call> between(ScriptedHandler h, long from, long to) {
        return h.calls(ESTIMATE).stream().filter(c -> c.nanos() >= from && c.nanos() < to).toList();
    }

    /**
     * The calls that started once the windows the threshold looks back on all came after
     * {@code change}: the new figure has settled (a slower link shows at once, a faster one once
     * the slow windows have aged out).
     */
    private static List<Call> settled(List<Call> calls, long change) {
        long windows = BandwidthWindow.SWITCHOVER_WINDOWS + 1;
        return calls.stream().filter(c -> c.nanos() >= change + windows * BandwidthWindow.WINDOW_NANOS).toList();
    }
}

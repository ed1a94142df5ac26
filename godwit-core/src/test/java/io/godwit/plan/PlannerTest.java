package io.godwit.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PlannerTest {
    private static final double MIB = 1 << 20;
    private static final double GIB = 1 << 30;
    private final Planner planner = new Planner(120);

    private static Scenario scenario(double ram, double bandwidth, long limitMs) {
        return new Scenario(ram, bandwidth, 4 * GIB, limitMs, 100, 20);
    }

    @Test
    void aQuietMachineTakesOneBulkPassAndTheFixedDowntime() {
        Prediction p = PrecopyModel.predict(new Scenario(GIB, GIB, GIB, 100, 100, 20), WorkingSet.linear(0, GIB),
                Throttle.NONE, 60);
        // setup sync, the sync after the bulk pass, the switchover's sync
        assertThat(p).isEqualTo(new Prediction(true, 3, 100 + 1000 + 20, 20, 0));
    }

    @Test
    void convergesWhenDirtyRateBelowBandwidth() {
        Plan plan = planner.plan(scenario(GIB, 256 * MIB, 300), WorkingSet.linear(32 * MIB, GIB));
        Prediction p = plan.prediction();
        assertThat(p.converges()).isTrue();
        // setup 0.1 s; the bulk pass syncs with under 76.8 MiB (the threshold) still to send, at 3.7 s,
        // and finds 109 MiB more; five 25.6 MiB windows (0.5 s) get back under the threshold, with 58
        // MiB left; the sync finds 16 MiB more: 74 MiB fit. Syncs: setup, two, switchover. Downtime
        // 20 ms + 74 MiB at 4 GiB/s.
        assertThat(p.passes()).isEqualTo(4);
        assertThat(p.totalTimeMs()).isBetween(4320L, 4350L);
        assertThat(p.downtimeMs()).isLessThanOrEqualTo(20 + 300 * 256 / 4096 + 1);
        assertThat(plan.suggestions()).isEmpty();
    }

    @Test
    void doesNotConvergeWhenDirtyRateAboveBandwidthAndSuggestsWhatWould() {
        Scenario s = scenario(GIB, 256 * MIB, 300);
        WorkingSet ws = WorkingSet.linear(384 * MIB, GIB);
        Plan plan = planner.plan(s, ws);
        assertThat(plan.prediction().converges()).isFalse();
        Map<String, Suggestion> by = plan.suggestions().stream()
                .collect(Collectors.toMap(Suggestion::kind, x -> x));
        assertThat(by).containsKeys("downtime-limit", "max-bandwidth", "auto-converge", "dirty-limit", "postcopy");
        by.values().forEach(x -> assertThat(x.predicted().converges()).as(x.kind()).isTrue());

        long limit = (Long) by.get("downtime-limit").settings().get("downtime-limit");
        assertThat(PrecopyModel.predict(s.withDowntimeLimitMs(limit - 1), ws, Throttle.NONE, 120).converges())
                .as("one ms less does not converge").isFalse();
        long bandwidth = (Long) by.get("max-bandwidth").settings().get("max-bandwidth");
        assertThat((double) bandwidth).isGreaterThan(256 * MIB);
        long dirtyLimit = (Long) by.get("dirty-limit").settings().get("vcpu-dirty-limit");
        assertThat(dirtyLimit).isLessThan(384);
        assertThat(by.get("auto-converge").predicted().throttlePercent()).isBetween(20, 99);
        assertThat(by.get("postcopy").predicted().downtimeMs()).isEqualTo(20);
    }

    @Test
    void aSaturatingHotSetConvergesWhereTheSameRateSpreadOverAllMemoryDoesNot() {
        Scenario s = scenario(GIB, 256 * MIB, 300); // threshold 76.8 MiB
        double[] t = {0.25, 0.5, 1, 2};
        double[] hot = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            hot[i] = 64 * MIB * (1 - Math.exp(-t[i] * GIB / (64 * MIB))); // 64 MiB rewritten at 1 GiB/s
        }
        assertThat(PrecopyModel.predict(s, new WorkingSet(t, hot, GIB), Throttle.NONE, 120).converges()).isTrue();
        assertThat(PrecopyModel.predict(s, WorkingSet.linear(GIB, GIB), Throttle.NONE, 120).converges()).isFalse();
    }

    @Test
    void workingSetFollowsASaturatingCurvePastTheLongestWindow() {
        double ram = 4 * GIB;
        double size = GIB;
        double rate = 128 * MIB;
        double[] t = {0.5, 1, 2};
        double[] w = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            w[i] = size * (1 - Math.exp(-rate * t[i] / size)); // uniform random writes over 1 GiB
        }
        WorkingSet ws = new WorkingSet(t, w, ram);
        for (double x : new double[] {4, 8, 16}) {
            double truth = size * (1 - Math.exp(-rate * x / size));
            assertThat(ws.dirtied(x)).as("at %s s", x).isCloseTo(truth, within(truth * 0.01));
        }
        assertThat(ws.dirtied(0.75)).isBetween(w[0], w[1]);
        assertThat(WorkingSet.linear(GIB, 2 * GIB).dirtied(10)).as("never more than the RAM").isEqualTo(2 * GIB);
    }

    @Test
    void refusesMalformedInput() {
        assertThatThrownBy(() -> new WorkingSet(new double[] {1, 0.5}, new double[] {1, 2}, GIB))
                .hasMessageContaining("ascending");
        assertThatThrownBy(() -> new Scenario(GIB, 0, GIB, 300, 0, 0)).hasMessageContaining("positive");
        assertThatThrownBy(() -> new Planner(0)).hasMessageContaining("horizon");
    }
}

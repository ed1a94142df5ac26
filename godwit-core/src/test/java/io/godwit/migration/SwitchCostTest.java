package io.godwit.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.godwit.clock.VirtualClock;
import io.godwit.options.Parameters;
import org.junit.jupiter.api.Test;

/** The arithmetic of the switch's fixed costs: what they leave of downtime-limit for bytes. */
class SwitchCostTest {
    private static final long MS = 1_000_000;

    @Test
    void fixedCostsComeOffTheLimitBeforeTheBandwidthMultipliesIt() {
        SwitchCost c = new SwitchCost(40 * MS, 5 * MS, 0, 15 * MS);
        assertThat(c.totalNanos()).isEqualTo(60 * MS);
        assertThat(c.budgetMs(300)).isEqualTo(240.0);
        assertThat(SwitchCost.NONE.budgetMs(300)).isEqualTo(300.0);
    }

    @Test
    void aTenthOfTheLimitStaysForBytesWhateverTheFixedCosts() {
        assertThat(new SwitchCost(500 * MS, 0, 0, 0).budgetMs(300)).isEqualTo(30.0);
        assertThat(new SwitchCost(280 * MS, 0, 0, 0).budgetMs(300)).isEqualTo(30.0);
        assertThat(SwitchCost.NONE.budgetMs(0)).isZero();
    }

    @Test
    void refusesNegativeCosts() {
        assertThatThrownBy(() -> new SwitchCost(0, 0, -1, 0)).hasMessageContaining("negative switch cost");
    }

    @Test
    void windowThresholdIsBandwidthTimesTheLimitLessFixedCosts() {
        Parameters p = Parameters.defaults().withDowntimeLimitMs(300).withMaxBandwidth(0);
        BandwidthWindow old = new BandwidthWindow(0, 0);
        BandwidthWindow counted = new BandwidthWindow(0, 0);
        long bytes = 100_000_000; // in 100 ms: 1,000,000 bytes/ms
        old.update(100 * MS, bytes, 0, -1, p);
        counted.update(100 * MS, bytes, 0, -1, p, new SwitchCost(30 * MS, 2 * MS, 8 * MS, 10 * MS));
        assertThat(old.thresholdSize()).isEqualTo(300_000_000L);
        assertThat(counted.thresholdSize()).isEqualTo(250_000_000L);
        assertThat(counted.budgetMs()).isEqualTo(250.0);
        assertThat(counted.expectedBytesPerMs()).isEqualTo(1_000_000.0);
    }

    @Test
    void linkProbeTimesItsOwnPingsOnlyAndCountsOneStillOutAsAtLeastItsAge() {
        VirtualClock clock = new VirtualClock();
        LinkProbe probe = new LinkProbe(clock);
        int id = probe.due();
        assertThat(LinkProbe.owns(id)).isTrue();
        assertThat(LinkProbe.owns(0x42)).isFalse();
        probe.sent(id);
        assertThat(probe.due()).as("one PING out at a time").isEqualTo(-1);
        clock.advance(3 * MS);
        assertThat(probe.rttNanos()).as("no PONG ever: nothing known").isZero();
        probe.ponged(id);
        clock.advance(10 * MS);
        assertThat(probe.rttNanos()).isEqualTo(3 * MS);
        assertThat(probe.due()).as("not before the interval").isEqualTo(-1);
        clock.advance(LinkProbe.INTERVAL_NANOS);
        int next = probe.due();
        assertThat(next).isNotEqualTo(id);
        probe.sent(next);
        probe.ponged(id); // a late or repeated answer to an older PING changes nothing
        clock.advance(MS);
        assertThat(probe.rttNanos()).isEqualTo(3 * MS);
        clock.advance(7 * MS);
        assertThat(probe.rttNanos()).as("the PING out for 8 ms: the destination fell behind").isEqualTo(8 * MS);
    }

    @Test
    void historyKeepsTheLastSwitchsRestAndForgetsALargerOneByHalves() {
        SwitchHistory h = new SwitchHistory();
        h.record(12 * MS);
        assertThat(h.restNanos()).isEqualTo(12 * MS);
        h.record(-5 * MS);
        assertThat(h.restNanos()).as("faster than expected: half the last").isEqualTo(6 * MS);
        h.record(20 * MS);
        assertThat(h.restNanos()).isEqualTo(20 * MS);
        h.record(0);
        h.record(0);
        assertThat(h.restNanos()).isEqualTo(5 * MS);
        assertThat(h.switches()).isEqualTo(5);
    }
}

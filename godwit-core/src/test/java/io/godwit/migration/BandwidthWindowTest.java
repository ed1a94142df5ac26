package io.godwit.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.godwit.options.Parameters;
import org.junit.jupiter.api.Test;

/** The 100 ms windows: bandwidth, threshold, expected downtime and the rate budget. */
class BandwidthWindowTest {
    static final long MS = 1_000_000;
    static final Parameters P = new Parameters(300, 0, 0);

    @Test
    void startsWithNoMeasurement() {
        BandwidthWindow w = new BandwidthWindow(0, 0);
        assertThat(w.thresholdSize()).isZero();
        assertThat(w.bytesPerMs()).isZero();
        assertThat(w.mbps()).isZero();
        assertThat(w.expectedDowntimeMs()).isEqualTo(-1);
        assertThat(w.end()).isEqualTo(100 * MS);
    }

    @Test
    void closesOnlyOnce100MsHavePassed() {
        BandwidthWindow w = new BandwidthWindow(7, 0);
        assertThat(w.update(7 + 100 * MS - 1, 1_000_000, 0, -1, P)).isFalse();
        assertThat(w.thresholdSize()).isZero();
        assertThat(w.end()).isEqualTo(7 + 100 * MS);
        assertThat(w.update(7 + 100 * MS, 1_000_000, 0, -1, P)).isTrue();
        assertThat(w.thresholdSize()).isPositive();
        assertThat(w.end()).as("the next window opens where this one closed").isEqualTo(7 + 200 * MS);
    }

    @Test
    void theThresholdTakesTheSlowestOfTheLastFiveWindows() {
        BandwidthWindow w = new BandwidthWindow(0, 0);
        long bytes = 0;
        long[] perWindow = {2_000_000, 1_000_000, 3_000_000, 3_000_000, 3_000_000, 3_000_000, 3_000_000};
        long[] expected = {600_000_000, 300_000_000, 300_000_000, 300_000_000, 300_000_000, 300_000_000,
            900_000_000};
        for (int i = 0; i < perWindow.length; i++) {
            bytes += perWindow[i] * 100; // bytes/ms x 100 ms
            assertThat(w.update((i + 1) * 100 * MS, bytes, 0, -1, P)).isTrue();
            assertThat(w.bytesPerMs()).as("the window's own bandwidth").isEqualTo(perWindow[i]);
            assertThat(w.thresholdSize()).as("window %d: the slowest of the last five x 300 ms", i + 1)
                    .isEqualTo(expected[i]);
        }
    }

    @Test
    void theLargestSettingsGiveAThresholdThatHandlersCanAddTo() {
        BandwidthWindow w = new BandwidthWindow(0, 0);
        w.update(100 * MS, 1_000_000, 0, -1, new Parameters(2_000_000, 0, Long.MAX_VALUE));
        assertThat(w.thresholdSize()).isEqualTo(BandwidthWindow.MAX_THRESHOLD);
        assertThat(w.thresholdSize() + 64 * 1024 * 1024).as("no overflow past it").isPositive();
    }

    @Test
    void thresholdIsMeasuredBandwidthTimesDowntimeLimit() {
        BandwidthWindow w = new BandwidthWindow(0, 500);
        w.update(100 * MS, 500 + 1_000_000, 0, -1, P);
        assertThat(w.bytesPerMs()).isEqualTo(10_000.0);
        assertThat(w.thresholdSize()).isEqualTo(10_000 * 300);
        assertThat(w.mbps()).isCloseTo(80.0, within(1e-9)); // 1 MB in 0.1 s
    }

    @Test
    void bandwidthIsMeasuredOverTheWindowsActualLength() {
        BandwidthWindow w = new BandwidthWindow(0, 0);
        w.update(160 * MS, 1_600_000, 0, -1, P);
        assertThat(w.timeSpentMs()).isEqualTo(160.0);
        assertThat(w.bytesPerMs()).isEqualTo(10_000.0);
        assertThat(w.thresholdSize()).isEqualTo(3_000_000);
    }

    @Test
    void eachWindowMeasuresOnlyItsOwnBytes() {
        BandwidthWindow w = new BandwidthWindow(0, 0);
        w.update(100 * MS, 1_000_000, 0, -1, P);
        w.update(200 * MS, 1_250_000, 0, -1, P);
        assertThat(w.bytesPerMs()).isEqualTo(2_500.0);
        assertThat(w.thresholdSize()).isEqualTo(750_000);
    }

    @Test
    void thresholdFollowsTheDowntimeLimitInForceWhenTheWindowCloses() {
        BandwidthWindow w = new BandwidthWindow(0, 0);
        w.update(100 * MS, 1_000_000, 0, -1, P.withDowntimeLimitMs(50));
        assertThat(w.thresholdSize()).isEqualTo(500_000);
        w.update(200 * MS, 2_000_000, 0, -1, P.withDowntimeLimitMs(0));
        assertThat(w.thresholdSize()).isZero();
    }

    @Test
    void availSwitchoverBandwidthReplacesTheMeasuredOne() {
        BandwidthWindow w = new BandwidthWindow(0, 0);
        w.update(100 * MS, 1_000_000, 0, -1, P.withAvailSwitchoverBandwidth(2_000_000));
        assertThat(w.bytesPerMs()).as("still measured").isEqualTo(10_000.0);
        assertThat(w.thresholdSize()).isEqualTo(2_000 * 300);
        w.update(200 * MS, 1_000_000, 0, -1, P.withAvailSwitchoverBandwidth(2_000_000));
        assertThat(w.thresholdSize()).as("even when nothing was sent").isEqualTo(2_000 * 300);
    }

    @Test
    void expectedDowntimeIsDirtyBytesOverBandwidth() {
        BandwidthWindow w = new BandwidthWindow(0, 0);
        w.update(100 * MS, 1_000_000, 0, 5_000_000, P);
        assertThat(w.expectedDowntimeMs()).isEqualTo(500);
        w.update(200 * MS, 1_000_000 + 2_000_000, 0, 5_000_000, P.withAvailSwitchoverBandwidth(50_000_000));
        assertThat(w.expectedDowntimeMs()).as("with the switchover bandwidth when set").isEqualTo(100);
    }

    @Test
    void expectedDowntimeNeedsADirtyRateAndEnoughBytes() {
        BandwidthWindow w = new BandwidthWindow(0, 0);
        w.update(100 * MS, 1_000_000, 0, -1, P);
        assertThat(w.expectedDowntimeMs()).as("no dirty rate measured yet").isEqualTo(-1);
        w.update(200 * MS, 2_000_000, 0, 4_000_000, P);
        assertThat(w.expectedDowntimeMs()).isEqualTo(400);
        w.update(300 * MS, 2_000_000 + 10_000, 0, 1_000, P);
        assertThat(w.expectedDowntimeMs()).as("10,000 bytes or less: keep the last estimate").isEqualTo(400);
        w.update(400 * MS, 2_010_000, 0, 1_000, P);
        assertThat(w.expectedDowntimeMs()).as("nothing sent: no bandwidth to divide by").isEqualTo(400);
    }

    @Test
    void pagesPerSecondCountsThisWindowsPages() {
        BandwidthWindow w = new BandwidthWindow(0, 0);
        w.update(100 * MS, 1_000_000, 250, -1, P);
        assertThat(w.pagesPerSecond()).isEqualTo(2_500.0);
        w.update(300 * MS, 2_000_000, 350, -1, P);
        assertThat(w.pagesPerSecond()).isEqualTo(500.0);
    }

    @Test
    void rateBudgetIsATenthOfMaxBandwidthPerWindow() {
        BandwidthWindow w = new BandwidthWindow(0, 1_000);
        long max = 1_000_000;
        assertThat(w.rateExceeded(1_000 + 100_000, max)).as("the budget itself may be sent").isFalse();
        assertThat(w.rateExceeded(1_000 + 100_001, max)).isTrue();
        assertThat(w.rateExceeded(Long.MAX_VALUE, 0)).as("0 means no limit").isFalse();
    }

    @Test
    void rateBudgetStartsAgainWhenTheWindowCloses() {
        BandwidthWindow w = new BandwidthWindow(0, 0);
        long max = 1_000_000;
        assertThat(w.rateExceeded(300_000, max)).isTrue();
        w.update(50 * MS, 300_000, 0, -1, P);
        assertThat(w.rateExceeded(300_000, max)).as("still the same window").isTrue();
        w.update(100 * MS, 300_000, 0, -1, P);
        assertThat(w.rateExceeded(400_000, max)).isFalse();
        assertThat(w.rateExceeded(400_001, max)).isTrue();
    }
}

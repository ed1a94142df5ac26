package io.godwit.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Migration parameters: QEMU's names, defaults, ranges and messages (migration/options.c). */
class ParametersTest {
    static final String DOWNTIME_MESSAGE =
            "Parameter 'downtime_limit' expects an integer in the range of 0 to 2000000 milliseconds";
    static final String MAX_BANDWIDTH_MESSAGE =
            "Parameter 'max_bandwidth' expects an integer in the range of 0 to 9223372036854775807 bytes/second";
    static final String POSTCOPY_MESSAGE = "Parameter 'max_postcopy_bandwidth' expects an integer in the range"
            + " of 0 to 9223372036854775807 bytes/second";
    static final String AVAIL_MESSAGE = "Parameter 'avail_switchover_bandwidth' expects an integer in the range"
            + " of 0 to 9223372036854775807 bytes/second";

    @Test
    void defaultsAreQemus() {
        Parameters p = Parameters.defaults();
        assertThat(p.downtimeLimitMs()).isEqualTo(300);
        assertThat(p.maxBandwidth()).isEqualTo(134_217_728); // 128 MiB/s
        assertThat(p.availSwitchoverBandwidth()).isZero();
        assertThat(p.maxPostcopyBandwidth()).as("QEMU: 0, no limit after the switch").isZero();
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 300, 2_000_000})
    void acceptsDowntimeLimitsUpTo2000Seconds(long ms) {
        assertThat(Parameters.defaults().withDowntimeLimitMs(ms).downtimeLimitMs()).isEqualTo(ms);
    }

    @ParameterizedTest
    @ValueSource(longs = {2_000_001, Long.MAX_VALUE, -1, Long.MIN_VALUE})
    void refusesDowntimeLimitsOutOfRange(long ms) {
        assertThatIllegalArgumentException().isThrownBy(() -> Parameters.defaults().withDowntimeLimitMs(ms))
                .withMessage(DOWNTIME_MESSAGE);
    }

    @Test
    void refusesNegativeBandwidths() {
        assertThatIllegalArgumentException().isThrownBy(() -> Parameters.defaults().withMaxBandwidth(-1))
                .withMessage(MAX_BANDWIDTH_MESSAGE);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Parameters.defaults().withAvailSwitchoverBandwidth(-1))
                .withMessage(AVAIL_MESSAGE);
        assertThatIllegalArgumentException().isThrownBy(() -> new Parameters(300, Long.MIN_VALUE, 0))
                .withMessage(MAX_BANDWIDTH_MESSAGE);
        assertThatIllegalArgumentException().isThrownBy(() -> Parameters.defaults().withMaxPostcopyBandwidth(-1))
                .withMessage(POSTCOPY_MESSAGE);
        assertThatIllegalArgumentException().isThrownBy(() -> Parameters.defaults().with("max-postcopy-bandwidth", -1))
                .withMessage(POSTCOPY_MESSAGE);
    }

    @Test
    void zeroBandwidthsMeanNoLimitAndMeasured() {
        Parameters p = new Parameters(300, 0, 0);
        assertThat(p.maxBandwidth()).isZero();
        assertThat(p.availSwitchoverBandwidth()).isZero();
        assertThat(new Parameters(300, Long.MAX_VALUE, Long.MAX_VALUE).maxBandwidth()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void setsParametersByQmpName() {
        Parameters p = Parameters.defaults()
                .with("downtime-limit", 500)
                .with("max-bandwidth", 1_000_000)
                .with("avail-switchover-bandwidth", 2_000_000)
                .with("max-postcopy-bandwidth", 3_000_000);
        assertThat(p).isEqualTo(new Parameters(500, 1_000_000, 2_000_000, 3_000_000));
        assertThat(Parameters.MAX_POSTCOPY_BANDWIDTH).isEqualTo("max-postcopy-bandwidth");
        assertThat(Parameters.DOWNTIME_LIMIT).isEqualTo("downtime-limit");
        assertThat(Parameters.MAX_BANDWIDTH).isEqualTo("max-bandwidth");
        assertThat(Parameters.AVAIL_SWITCHOVER_BANDWIDTH).isEqualTo("avail-switchover-bandwidth");
    }

    @Test
    void settingByNameValidatesToo() {
        assertThatIllegalArgumentException().isThrownBy(() -> Parameters.defaults().with("downtime-limit", -5))
                .withMessage(DOWNTIME_MESSAGE);
        assertThatIllegalArgumentException().isThrownBy(() -> Parameters.defaults().with("max-bandwidth", -5))
                .withMessage(MAX_BANDWIDTH_MESSAGE);
    }

    @Test
    void outOfRangeMessagesAreTheOnesTheChecksGive() {
        assertThat(Parameters.outOfRange("downtime-limit")).isEqualTo(DOWNTIME_MESSAGE);
        assertThat(Parameters.outOfRange("max-bandwidth")).isEqualTo(MAX_BANDWIDTH_MESSAGE);
        assertThat(Parameters.outOfRange("avail-switchover-bandwidth")).isEqualTo(AVAIL_MESSAGE);
        assertThat(Parameters.outOfRange("max-postcopy-bandwidth")).isEqualTo(POSTCOPY_MESSAGE);
        assertThatIllegalArgumentException().isThrownBy(() -> Parameters.outOfRange("multifd-channels"))
                .withMessage("Parameter 'multifd-channels' is unexpected");
    }

    @Test
    void refusesUnknownNames() {
        assertThatIllegalArgumentException().isThrownBy(() -> Parameters.defaults().with("downtime_limit", 5))
                .withMessage("Parameter 'downtime_limit' is unexpected");
    }

    @Test
    void changingOneParameterKeepsTheOthers() {
        Parameters p = new Parameters(10, 20, 30, 40);
        assertThat(p.withDowntimeLimitMs(11)).isEqualTo(new Parameters(11, 20, 30, 40));
        assertThat(p.withMaxBandwidth(21)).isEqualTo(new Parameters(10, 21, 30, 40));
        assertThat(p.withAvailSwitchoverBandwidth(31)).isEqualTo(new Parameters(10, 20, 31, 40));
        assertThat(p.withMaxPostcopyBandwidth(41)).isEqualTo(new Parameters(10, 20, 30, 41));
        assertThat(p).isEqualTo(new Parameters(10, 20, 30, 40));
    }

    @Test
    void timeoutsHaveDefaultsAndXNames() {
        Parameters p = Parameters.defaults();
        assertThat(p.connectTimeoutMs()).isEqualTo(30_000);
        assertThat(p.incomingIdleTimeoutMs()).isEqualTo(30_000);
        assertThat(p.incomingReadTimeoutMs()).isEqualTo(60_000);
        assertThat(p.returnPathTimeoutMs()).isEqualTo(60_000);
        assertThat(Parameters.names()).containsExactly("downtime-limit", "max-bandwidth", "avail-switchover-bandwidth",
                "max-postcopy-bandwidth", "x-connect-timeout", "x-incoming-idle-timeout", "x-incoming-read-timeout", "x-return-path-timeout");
        assertThat(p.byName()).containsEntry("x-return-path-timeout", 60_000L).hasSize(8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x-connect-timeout", "x-incoming-idle-timeout", "x-incoming-read-timeout",
            "x-return-path-timeout"})
    void timeoutsTakeZeroForNoneUpToOneDay(String name) {
        assertThat(Parameters.defaults().with(name, 0).byName()).containsEntry(name, 0L);
        assertThat(Parameters.defaults().with(name, 86_400_000).byName()).containsEntry(name, 86_400_000L);
        String message = "Parameter '" + name.replace('-', '_') + "' expects an integer in the range of 0 to 86400000"
                + " milliseconds";
        assertThatIllegalArgumentException().isThrownBy(() -> Parameters.defaults().with(name, -1)).withMessage(message);
        assertThatIllegalArgumentException().isThrownBy(() -> Parameters.defaults().with(name, 86_400_001))
                .withMessage(message);
        assertThat(Parameters.outOfRange(name)).isEqualTo(message);
    }

    @Test
    void settingOneTimeoutKeepsEverythingElse() {
        Parameters p = new Parameters(10, 20, 30).with("x-connect-timeout", 1).with("x-incoming-idle-timeout", 2)
                .with("x-incoming-read-timeout", 3).with("x-return-path-timeout", 4);
        assertThat(p).isEqualTo(new Parameters(10, 20, 30, 0, 1, 2, 3, 4));
        assertThat(p.withMaxBandwidth(21)).isEqualTo(new Parameters(10, 21, 30, 0, 1, 2, 3, 4));
    }
}

package io.godwit.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** migrate-set-parameters' values: each kind lands in its record, and a refused value changes nothing. */
class SettingsTest {
    @Test
    void eachKindOfParameterLandsInItsRecord() {
        Settings s = Settings.defaults().with(Map.of("downtime-limit", 123L), Map.of("tls-hostname", "dst"),
                Map.of("multifd-channels", 4L), Map.of("cpu-throttle-initial", 35L, "xbzrle-cache-size", 1L << 20));
        assertThat(s.params().downtimeLimitMs()).isEqualTo(123);
        assertThat(s.tls().hostname()).isEqualTo("dst");
        assertThat(s.multifd().channels()).isEqualTo(4);
        assertThat(s.throttle().byName()).containsEntry("cpu-throttle-initial", 35L);
        assertThat(s.xbzrle().cacheSize()).isEqualTo(1L << 20);
    }

    @Test
    void aRefusedValueLeavesEveryMonitorSettingAsItWas() {
        try (Monitor m = new Monitor(new io.godwit.machine.Machine("m"), io.godwit.clock.Clock.system(),
                MonitorEvents.NONE)) {
            assertThatThrownBy(() -> m.setParameters(Map.of("downtime-limit", 50L), Map.of(), Map.of(),
                    Map.of("xbzrle-cache-size", 5000L)))
                    .isInstanceOf(MonitorException.class).hasMessageContaining("xbzrle_cache_size");
            assertThat(m.parameters().downtimeLimitMs()).isEqualTo(300);
            assertThat(m.xbzrleParameters().cacheSize()).isEqualTo(64L << 20);
        }
    }
}

package io.godwit.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ThrottleParametersTest {
    private static final ThrottleParameters QEMU = ThrottleParameters.defaults();

    @Test
    void defaultsAreQemus() {
        assertThat(QEMU.byName()).containsExactly(
                java.util.Map.entry("throttle-trigger-threshold", 50L), java.util.Map.entry("cpu-throttle-initial", 20L),
                java.util.Map.entry("cpu-throttle-increment", 10L), java.util.Map.entry("cpu-throttle-tailslow", false),
                java.util.Map.entry("max-cpu-throttle", 99L), java.util.Map.entry("x-vcpu-dirty-limit-period", 1000L),
                java.util.Map.entry("vcpu-dirty-limit", 1L));
    }

    /** QEMU's sequence without tailslow: initial, then + increment per trigger, capped at max. */
    @Test
    void linearSequenceStartsAtInitialAndStopsAtMax() {
        assertThat(sequence(QEMU, 12, 100, 50)).containsExactly(20, 30, 40, 50, 60, 70, 80, 90, 99, 99, 99, 99);
        ThrottleParameters p = QEMU.with("cpu-throttle-initial", 30L).with("cpu-throttle-increment", 25L)
                .with("max-cpu-throttle", 70L);
        assertThat(sequence(p, 5, 100, 50)).containsExactly(30, 55, 70, 70, 70);
    }

    /**
     * Tailslow (QEMU ram.c): the increment is min(cpu_now - cpu_now * threshold/dirty, increment),
     * cpu_now = 100 - throttle, with C's truncation of the ideal share.
     */
    @Test
    void tailslowAddsOnlyWhatBringsTheDirtyBytesToTheThreshold() {
        ThrottleParameters p = QEMU.with("cpu-throttle-tailslow", true);
        // dirty twice the threshold: cpu_now 80 -> ideal 40, but at most the increment 10
        assertThat(p.nextThrottle(20, 200, 100)).isEqualTo(30);
        // dirty just over: cpu_now 70 -> ideal (int)(70 * 100/105) = 66, +4
        assertThat(p.nextThrottle(30, 105, 100)).isEqualTo(34);
        // cpu_now 5 at 95%: ideal (int)(5 * 0.9) = 4, +1
        assertThat(p.nextThrottle(95, 1000, 900)).isEqualTo(96);
        assertThat(p.nextThrottle(0, 1000, 10)).as("the first trigger is the initial throttle").isEqualTo(20);
        assertThat(p.with("max-cpu-throttle", 32L).nextThrottle(30, 105, 100)).isEqualTo(32);
        // without tailslow the same call adds the whole increment
        assertThat(QEMU.nextThrottle(30, 105, 100)).isEqualTo(40);
    }

    private static List<Integer> sequence(ThrottleParameters p, int triggers, long dirty, long threshold) {
        List<Integer> out = new ArrayList<>();
        int t = 0;
        for (int i = 0; i < triggers; i++) {
            t = p.nextThrottle(t, dirty, threshold);
            out.add(t);
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "throttle-trigger-threshold|0|Parameter 'throttle_trigger_threshold' expects an integer in the range of 1 to 100",
        "throttle-trigger-threshold|101|Parameter 'throttle_trigger_threshold' expects an integer in the range of 1 to 100",
        "cpu-throttle-initial|0|Parameter 'cpu_throttle_initial' expects an integer in the range of 1 to 99",
        "cpu-throttle-initial|100|Parameter 'cpu_throttle_initial' expects an integer in the range of 1 to 99",
        "cpu-throttle-increment|0|Parameter 'cpu_throttle_increment' expects an integer in the range of 1 to 99",
        "cpu-throttle-increment|300|Parameter 'cpu_throttle_increment' expects an integer in the range of 1 to 99",
        "max-cpu-throttle|100|Parameter 'max_cpu_throttle' expects an integer in the range of cpu_throttle_initial to 99",
        "max-cpu-throttle|19|Parameter 'max_cpu_throttle' expects an integer in the range of cpu_throttle_initial to 99",
        "x-vcpu-dirty-limit-period|0|Parameter 'x-vcpu-dirty-limit-period' expects a value between 1 and 1000",
        "x-vcpu-dirty-limit-period|1001|Parameter 'x-vcpu-dirty-limit-period' expects a value between 1 and 1000",
        "vcpu-dirty-limit|0|Parameter 'vcpu_dirty_limit' is invalid, it must greater than 1 MB/s",
    })
    void refusesOutOfRangeValuesInQemusWords(String name, long value, String message) {
        assertThatIllegalArgumentException().isThrownBy(() -> QEMU.with(name, value)).withMessage(message);
    }

    @Test
    void anInitialThrottleAboveTheMaximumIsRefusedAsTheMaximumIs() {
        ThrottleParameters low = QEMU.with("max-cpu-throttle", 40L);
        assertThatIllegalArgumentException().isThrownBy(() -> low.with("cpu-throttle-initial", 50L)).withMessage(
                "Parameter 'max_cpu_throttle' expects an integer in the range of cpu_throttle_initial to 99");
        assertThat(low.with("cpu-throttle-initial", 40L).cpuThrottleInitial()).isEqualTo(40);
    }

    @Test
    void refusesValuesOfTheWrongTypeAndUnknownNames() {
        assertThatIllegalArgumentException().isThrownBy(() -> QEMU.with("cpu-throttle-tailslow", 1L))
                .withMessage("Parameter 'cpu-throttle-tailslow' expects a boolean");
        assertThatIllegalArgumentException().isThrownBy(() -> QEMU.with("vcpu-dirty-limit", "8"))
                .withMessage("Parameter 'vcpu-dirty-limit' expects an integer");
        assertThatIllegalArgumentException().isThrownBy(() -> QEMU.with("cpu-throttle", 8L))
                .withMessage("Parameter 'cpu-throttle' is unexpected");
    }
}

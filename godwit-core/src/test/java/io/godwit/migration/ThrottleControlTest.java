package io.godwit.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.machine.Machine;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.ThrottleParameters;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** QEMU's migration_trigger_throttle, step by step: the period rule, the count of high periods, release. */
class ThrottleControlTest {
    private static final long S = 1_000_000_000L;
    private static final long PAGE = 4096;

    private final Machine machine = new Machine("m");
    private final List<Integer> heard = new ArrayList<>();

    private ThrottleControl control(Capability cap, ThrottleParameters p) {
        machine.onCpuThrottle(heard::add);
        ThrottleControl c = new ThrottleControl(machine, Capabilities.of(cap), p);
        c.start(0, 0, 0);
        return c;
    }

    /** Each period sends 100 MiB and dirties {@code dirtyPages} new pages; one sync per period. */
    private static final class Feed {
        long now;
        long sent;
        long dirty;

        void period(ThrottleControl c, long nanos, long sentBytes, long dirtyPages) {
            now += nanos;
            sent += sentBytes;
            dirty += dirtyPages;
            c.onSync(now, sent, dirty);
        }
    }

    @Test
    void autoConvergeRaisesOnEverySecondHighPeriodUpToTheMaximum() {
        ThrottleControl c = control(Capability.AUTO_CONVERGE, ThrottleParameters.defaults());
        Feed f = new Feed();
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            f.period(c, 2 * S, 100 * PAGE, 80); // 80 pages dirtied > 50% of 100 pages sent
            seen.add(machine.throttle().cpuThrottle());
        }
        assertThat(seen).containsExactly(0, 20, 20, 30, 30, 40, 40, 50, 50, 60, 60, 70, 70, 80, 80, 90, 90, 99, 99,
                99, 99, 99, 99, 99);
        assertThat(c.info().cpuThrottlePercentage()).isEqualTo(99);
        assertThat(heard).containsExactly(20, 30, 40, 50, 60, 70, 80, 90, 99);
    }

    @Test
    void aLowPeriodDoesNotResetTheCountAndAtOrBelowTheThresholdNeverCounts() {
        ThrottleControl c = control(Capability.AUTO_CONVERGE, ThrottleParameters.defaults());
        Feed f = new Feed();
        f.period(c, 2 * S, 100 * PAGE, 80); // high: 1
        f.period(c, 2 * S, 100 * PAGE, 50); // exactly 50%: not above, count stays 1
        assertThat(machine.throttle().cpuThrottle()).isZero();
        f.period(c, 2 * S, 100 * PAGE, 51); // high: 2 -> fires
        assertThat(machine.throttle().cpuThrottle()).isEqualTo(20);
    }

    @Test
    void syncsWithinASecondOfThePeriodStartAddUpIntoOnePeriod() {
        ThrottleControl c = control(Capability.AUTO_CONVERGE, ThrottleParameters.defaults());
        Feed f = new Feed();
        for (int i = 0; i < 10; i++) {
            f.period(c, S / 10, 100 * PAGE, 80); // ten syncs 100 ms apart: one second, not more than it
        }
        f.period(c, S / 10, 100 * PAGE, 80); // 1.1 s: the first period ends here, high
        f.period(c, S / 2, 0, 0);            // within the next second: nothing is looked at
        assertThat(machine.throttle().cpuThrottle()).isZero();
        f.period(c, S, 100 * PAGE, 80);       // 1.5 s after: the second high period
        assertThat(machine.throttle().cpuThrottle()).isEqualTo(20);
    }

    @Test
    void triggerThresholdIsAShareOfTheBytesSentInThePeriod() {
        ThrottleControl c = control(Capability.AUTO_CONVERGE, ThrottleParameters.defaults()
                .with("throttle-trigger-threshold", 90L).with("cpu-throttle-initial", 45L));
        Feed f = new Feed();
        f.period(c, 2 * S, 100 * PAGE, 80);
        f.period(c, 2 * S, 100 * PAGE, 80);
        assertThat(machine.throttle().cpuThrottle()).as("80% dirtied is under a 90% threshold").isZero();
        f.period(c, 2 * S, 100 * PAGE, 91);
        f.period(c, 2 * S, 100 * PAGE, 91);
        assertThat(machine.throttle().cpuThrottle()).isEqualTo(45);
    }

    @Test
    void dirtyLimitCapsTheWritersOnceTheTriggerFiresAndReleaseEndsIt() {
        ThrottleControl c = control(Capability.DIRTY_LIMIT, ThrottleParameters.defaults()
                .with("vcpu-dirty-limit", 8L).with("x-vcpu-dirty-limit-period", 500L));
        Feed f = new Feed();
        f.period(c, 2 * S, 100 * PAGE, 80);
        assertThat(machine.throttle().dirtyLimit()).isZero();
        assertThat(c.info().throttleTimePerRoundUs()).as("no limit in force: no figures").isEqualTo(-1);
        f.period(c, 2 * S, 100 * PAGE, 80);
        assertThat(machine.throttle().dirtyLimit()).isEqualTo(8);
        assertThat(machine.throttle().cpuThrottle()).as("dirty-limit leaves the CPU throttle alone").isZero();
        assertThat(c.info().throttleTimePerRoundUs()).isZero();
        c.setParameters(c.parameters().with("vcpu-dirty-limit", 4L));
        f.period(c, 2 * S, 100 * PAGE, 80);
        f.period(c, 2 * S, 100 * PAGE, 80);
        assertThat(machine.throttle().dirtyLimit()).as("a changed vcpu-dirty-limit at the next trigger").isEqualTo(4);

        c.release();
        assertThat(machine.throttle().dirtyLimit()).isZero();
    }

    @Test
    void releaseSetsTheThrottleToZeroAndTellsTheListeners() {
        ThrottleControl c = control(Capability.AUTO_CONVERGE, ThrottleParameters.defaults());
        Feed f = new Feed();
        f.period(c, 2 * S, 100 * PAGE, 80);
        f.period(c, 2 * S, 100 * PAGE, 80);
        c.release();
        c.release();
        assertThat(machine.throttle().cpuThrottle()).isZero();
        assertThat(heard).containsExactly(20, 0);
        assertThat(c.info().cpuThrottlePercentage()).isZero();
        assertThat(c.info().cpuThrottlePeak()).isEqualTo(20);
    }
}

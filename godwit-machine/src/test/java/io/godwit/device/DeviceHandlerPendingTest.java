package io.godwit.device;

import io.godwit.reference.device.SyntheticDevice;
import static io.godwit.device.DeviceState.STOP_COPY;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.clock.VirtualClock;
import io.godwit.vcpu.Pacers;
import io.godwit.vcpu.Workload;
import io.godwit.vcpu.WorkloadPacer;
import io.godwit.savevm.Pending;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the device handler reports as pending under each policy: honest sizes (legacy,
 * switchover-ack), more than the threshold while initial data remains (threshold), honest sizes
 * plus the destination's load time (cost-aware).
 */
class DeviceHandlerPendingTest {
    static final int BLOCK = 4096;
    static final long SMALL = 10; // below anything pending
    static final long LARGE = 64L << 20; // above anything pending
    /** One byte a nanosecond: loadNanos(b) == b. */
    static final long LOAD_RATE = 1_000_000_000L;
    /** What one full iteration sends: a DATA record of 255 blocks and a record header. */
    static final long FIRST_BUFFER = 12 + 255L * BLOCK;

    final VirtualClock activityClock = new VirtualClock();
    final WorkloadPacer pacer = Pacers.of(activityClock);

    /** 300 blocks: one iteration leaves 45 blocks of initial data. */
    static SyntheticDevice device() {
        return new SyntheticDevice("dev", 300L * BLOCK, 1000L * BLOCK, LOAD_RATE, false, 3);
    }

    /** About 1000 random writes. */
    void dirty(Workload activity) {
        activity.step(pacer);
        activityClock.advance(1_000_000_000L);
        activity.step(pacer);
    }

    /** A source after setup, one iteration and some writes: initial and dirty data both pending. */
    record Midway(SyntheticDevice device, DeviceSource src, long initial, long dirty) {}

    static Midway midway(PendingPolicy policy, DeviceHandlerPendingTest test) throws IOException {
        SyntheticDevice d = device();
        Workload activity = d.activity();
        DeviceSource src = new DeviceSource(d, policy);
        src.setup();
        src.iterate();
        test.dirty(activity);
        PrecopyInfo info = d.precopyInfo();
        assertThat(info.initialBytes()).isEqualTo(45L * BLOCK);
        assertThat(info.dirtyBytes()).isPositive();
        return new Midway(d, src, info.initialBytes(), info.dirtyBytes());
    }

    @ParameterizedTest
    @EnumSource(value = PendingPolicy.class, names = {"LEGACY", "SWITCHOVER_ACK"})
    void honestPoliciesReportInitialPlusDirty(PendingPolicy policy) throws IOException {
        Midway m = midway(policy, this);
        for (long threshold : new long[] {SMALL, LARGE}) {
            Pending p = m.src().exact(threshold);
            assertThat(p.mustPrecopy()).isEqualTo(m.initial() + m.dirty());
            assertThat(p.canPostcopy()).isZero();
            assertThat(p.loadNanos()).as("no load time from %s", policy).isZero();
        }
        assertThat(m.src().handler.lastInitialBytes()).isEqualTo(m.initial());
        assertThat(m.src().handler.lastDirtyBytes()).isEqualTo(m.dirty());
        assertThat(m.src().handler.lastLoadNanos()).isZero();
    }

    @Test
    void thresholdPolicyReportsMoreThanTheThresholdWhileInitialDataRemains() throws IOException {
        Midway m = midway(PendingPolicy.THRESHOLD, this);
        assertThat(m.src().exact(LARGE).mustPrecopy()).isEqualTo(LARGE + 1);
        assertThat(m.src().estimate(LARGE).mustPrecopy()).isEqualTo(LARGE + 1);
        assertThat(m.src().exact(SMALL).mustPrecopy()).as("already above the threshold")
                .isEqualTo(m.initial() + m.dirty());
        assertThat(m.src().exact(LARGE).loadNanos()).isZero();

        m.src().iterate(); // the last 45 initial blocks and some dirty ones
        PrecopyInfo left = m.device().precopyInfo();
        assertThat(left.initialBytes()).isZero();
        assertThat(m.src().exact(LARGE).mustPrecopy()).as("honest once the initial data is out")
                .isEqualTo(left.dirtyBytes()).isLessThan(LARGE);
    }

    @Test
    void thresholdPolicyIsHonestAsSoonAsTheInitialDataIsOut() throws IOException {
        DeviceSource src = new DeviceSource(new SyntheticDevice("dev", 2L * BLOCK, 0, 0, false, 1),
                PendingPolicy.THRESHOLD);
        src.setup();
        assertThat(src.estimate(LARGE).mustPrecopy()).isEqualTo(LARGE + 1);
        src.iterate();
        assertThat(src.estimate(LARGE).mustPrecopy()).isZero();
        assertThat(src.exact(LARGE).mustPrecopy()).isZero();
    }

    @Test
    void costAwarePolicyAddsTheLoadTimeOfWhatIsPendingAndOfWhatTheDestinationStillLoads() throws IOException {
        Midway m = midway(PendingPolicy.COST_AWARE, this);
        long pending = m.initial() + m.dirty();
        Pending p = m.src().exact(SMALL);
        assertThat(p.mustPrecopy()).isEqualTo(pending);
        assertThat(p.loadNanos()).isEqualTo(pending + FIRST_BUFFER);
        assertThat(m.src().handler.lastLoadNanos()).isEqualTo(pending + FIRST_BUFFER);

        m.src().clock.advance(1_000_000);
        assertThat(m.src().exact(SMALL).loadNanos()).isEqualTo(pending + FIRST_BUFFER - 1_000_000);
        m.src().clock.advance(FIRST_BUFFER);
        assertThat(m.src().exact(SMALL).loadNanos()).as("the destination has caught up").isEqualTo(pending);
        assertThat(m.src().estimate(SMALL).loadNanos()).isEqualTo(pending);
    }

    @Test
    void costAwareBacklogAddsUpOverIterations() throws IOException {
        SyntheticDevice d = new SyntheticDevice("dev", 600L * BLOCK, 0, LOAD_RATE, false, 3);
        DeviceSource src = new DeviceSource(d, PendingPolicy.COST_AWARE);
        src.setup();
        assertThat(src.exact(SMALL).loadNanos()).as("nothing sent yet").isEqualTo(600L * BLOCK);
        src.iterate();
        src.clock.advance(500_000);
        src.iterate(); // the destination is still busy with the first buffer
        long left = d.precopyInfo().initialBytes();
        assertThat(left).isEqualTo(90L * BLOCK);
        assertThat(src.exact(SMALL).loadNanos()).isEqualTo(left + 2 * FIRST_BUFFER - 500_000);
    }

    @ParameterizedTest
    @EnumSource(value = PendingPolicy.class, names = {"LEGACY", "THRESHOLD", "SWITCHOVER_ACK"})
    void otherPoliciesAddNoLoadTime(PendingPolicy policy) throws IOException {
        DeviceSource src = new DeviceSource(new SyntheticDevice("dev", 4L * BLOCK, 0, 1000, false, 3), policy);
        src.setup();
        assertThat(src.exact(SMALL).loadNanos()).isZero();
        assertThat(src.estimate(SMALL).loadNanos()).isZero();
    }

    @Test
    void anEstimateRepeatsTheLastKnownSizesAndAnExactCallRefreshesThem() throws IOException {
        SyntheticDevice d = new SyntheticDevice("dev", 16L * BLOCK, 1000L * BLOCK, 0, false, 3);
        Workload activity = d.activity();
        DeviceSource src = new DeviceSource(d, PendingPolicy.LEGACY);
        src.setup();
        assertThat(src.estimate(SMALL).mustPrecopy()).isEqualTo(16L * BLOCK);
        src.iterate();
        dirty(activity);
        assertThat(src.estimate(SMALL).mustPrecopy()).as("no new query of the device").isZero();
        long dirty = d.precopyInfo().dirtyBytes();
        assertThat(dirty).isPositive();
        assertThat(src.exact(SMALL).mustPrecopy()).isEqualTo(dirty);
        assertThat(src.estimate(SMALL).mustPrecopy()).isEqualTo(dirty);
    }

    @ParameterizedTest
    @EnumSource(PendingPolicy.class)
    void afterTheStopOnlyAnExactCallReportsWhatStopCopyStillHasToSend(PendingPolicy policy) throws IOException {
        SyntheticDevice d = device();
        DeviceSource src = new DeviceSource(d, policy);
        src.setup();
        src.iterate();
        d.setState(STOP_COPY);
        assertThat(src.estimate(LARGE).mustPrecopy()).isZero();
        Pending p = src.exact(LARGE);
        assertThat(p.mustPrecopy()).isEqualTo(d.stopCopySize()).isEqualTo(45L * BLOCK);
        assertThat(p.loadNanos()).isZero();
    }
}

package io.godwit.device;

import static io.godwit.device.DeviceState.ERROR;
import static io.godwit.device.DeviceState.PRE_COPY;
import static io.godwit.device.DeviceState.PRE_COPY_P2P;
import static io.godwit.device.DeviceState.RESUMING;
import static io.godwit.device.DeviceState.RUNNING;
import static io.godwit.device.DeviceState.RUNNING_P2P;
import static io.godwit.device.DeviceState.STOP;
import static io.godwit.device.DeviceState.STOP_COPY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The device side of the state machine: single arcs with {@code step}, combined requests with
 * {@code setState}, what each arc starts or ends, ERROR on a failed arc and reset, and which
 * data-stream calls each state allows.
 */
class MigratableDeviceTest {
    final List<String> seen = new ArrayList<>();

    ProbeDevice device(boolean p2p) {
        ProbeDevice d = new ProbeDevice("probe", p2p);
        d.onStateChange((from, to) -> seen.add(from + "->" + to));
        return d;
    }

    /** A fresh device in {@code state}, its hooks and the heard changes forgotten. */
    ProbeDevice deviceIn(DeviceState state, boolean p2p) {
        ProbeDevice d = device(p2p);
        if (state == ERROR) {
            d.broken();
        } else {
            d.setState(state);
        }
        assertThat(d.state()).isEqualTo(state);
        d.hooks.clear();
        seen.clear();
        return d;
    }

    /** Every (from, to) with from a state the device can be in. */
    static Stream<Arguments> everyPairFromAnExistingState() {
        return DeviceStateTest.everyPair().filter(a -> ((DeviceState) a.get()[0]).exists((boolean) a.get()[2]));
    }

    @Test
    void aNewDeviceIsRunning() {
        assertThat(device(false).state()).isEqualTo(RUNNING);
        assertThat(device(true).state()).isEqualTo(RUNNING);
    }

    @Test
    void idMustBeNonEmptyWithoutSlash() {
        assertThatThrownBy(() -> new ProbeDevice("", false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProbeDevice("a/b", false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a/b'");
    }

    @ParameterizedTest(name = "{0} -> {1}, p2p {2}")
    @MethodSource("everyPairFromAnExistingState")
    void stepTakesExactlyTheUapiArcs(DeviceState from, DeviceState to, boolean p2p) {
        ProbeDevice d = deviceIn(from, p2p);
        Set<DeviceState> legal = DeviceStateTest.arcs(p2p).get(from);
        if (legal.contains(to)) {
            d.step(to);
            assertThat(d.state()).isEqualTo(to);
            assertThat(seen).containsExactly(from + "->" + to);
        } else {
            assertThatThrownBy(() -> d.step(to)).isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(from + " -> " + to);
            assertThat(d.state()).as("a refused arc changes nothing").isEqualTo(from);
            assertThat(seen).isEmpty();
            assertThat(d.hooks).isEmpty();
        }
    }

    @ParameterizedTest(name = "p2p {0}")
    @ValueSource(booleans = {true, false})
    void errorCannotBeRequested(boolean p2p) {
        for (DeviceState s : List.of(RUNNING, PRE_COPY, STOP, STOP_COPY, RESUMING)) {
            ProbeDevice d = deviceIn(s, p2p);
            assertThatThrownBy(() -> d.setState(ERROR)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ERROR cannot be requested");
            assertThatThrownBy(() -> d.step(ERROR)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(s + " -> ERROR");
            assertThat(d.state()).isEqualTo(s);
        }
    }

    @Test
    void p2pStatesCannotBeRequestedWithoutP2p() {
        ProbeDevice d = device(false);
        assertThatThrownBy(() -> d.setState(RUNNING_P2P)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> d.setState(PRE_COPY_P2P)).isInstanceOf(IllegalStateException.class);
        assertThat(d.state()).isEqualTo(RUNNING);
        assertThat(seen).isEmpty();
    }

    @ParameterizedTest(name = "p2p {0}")
    @ValueSource(booleans = {true, false})
    void stopCopyIsNeverLeftForPreCopy(boolean p2p) {
        ProbeDevice d = deviceIn(STOP_COPY, p2p);
        assertThatThrownBy(() -> d.setState(PRE_COPY)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> d.step(PRE_COPY)).isInstanceOf(IllegalStateException.class);
        assertThat(d.state()).isEqualTo(STOP_COPY);
        assertThat(seen).as("no arc taken").isEmpty();
        assertThat(d.hooks).as("the data session is kept").isEmpty();
    }

    @Test
    void setStateWalksTheCombinedPathAndReportsEachStep() {
        ProbeDevice d = device(true);
        d.setState(STOP_COPY);
        assertThat(seen).containsExactly("RUNNING->RUNNING_P2P", "RUNNING_P2P->STOP", "STOP->STOP_COPY");
        assertThat(d.hooks).containsExactly("startSaving(stop-copy)");

        seen.clear();
        d.setState(RUNNING);
        assertThat(seen).containsExactly("STOP_COPY->STOP", "STOP->RUNNING_P2P", "RUNNING_P2P->RUNNING");
        assertThat(d.hooks).containsExactly("startSaving(stop-copy)", "endSaving");
    }

    @Test
    void setStateToTheCurrentStateDoesNothing() {
        ProbeDevice d = deviceIn(STOP, false);
        d.setState(STOP);
        assertThat(seen).isEmpty();
        assertThat(d.hooks).isEmpty();
    }

    @Test
    void preCopyToStopCopyKeepsOneDataSession() {
        ProbeDevice d = device(true);
        d.setState(PRE_COPY);
        d.setState(STOP_COPY);
        assertThat(seen).containsExactly("RUNNING->PRE_COPY", "PRE_COPY->PRE_COPY_P2P", "PRE_COPY_P2P->STOP_COPY");
        assertThat(d.hooks).containsExactly("startSaving");
        d.setState(STOP);
        assertThat(d.hooks).containsExactly("startSaving", "endSaving");
    }

    @Test
    void hooksRunOnEnteringAndLeavingTheSavingAndResumingGroups() {
        ProbeDevice d = device(false);
        d.setState(PRE_COPY);
        d.setState(RUNNING);
        d.setState(RESUMING);
        d.setState(STOP);
        d.setState(STOP_COPY);
        d.setState(STOP);
        assertThat(d.hooks).containsExactly("startSaving", "endSaving", "startResuming", "endResuming",
                "startSaving(stop-copy)", "endSaving");
    }

    @Test
    void aFailingHookLeavesTheDeviceInError() {
        ProbeDevice d = device(false).failOn("startResuming");
        Throwable t = catchThrowable(() -> d.setState(RESUMING));
        assertThat(t).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STOP -> RESUMING failed").hasMessageContaining("on purpose")
                .hasCauseExactlyInstanceOf(IllegalArgumentException.class);
        assertThat(d.state()).isEqualTo(ERROR);
        assertThat(seen).containsExactly("RUNNING->STOP", "STOP->ERROR");
    }

    @Test
    void aDeviceInErrorRefusesEverythingButReset() {
        ProbeDevice d = deviceIn(ERROR, false);
        assertThatThrownBy(() -> d.setState(RUNNING)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reset it first");
        assertThatThrownBy(() -> d.step(STOP)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ERROR -> STOP");
        assertThat(d.state()).isEqualTo(ERROR);

        d.reset();
        assertThat(d.state()).isEqualTo(RUNNING);
        assertThat(seen).containsExactly("ERROR->RUNNING");
        assertThat(d.hooks).containsExactly("discardSessions");
        assertThatCode(() -> d.setState(PRE_COPY)).doesNotThrowAnyException();
    }

    @Test
    void resetDropsAHalfDoneSession() {
        ProbeDevice d = deviceIn(PRE_COPY_P2P, true);
        d.reset();
        assertThat(d.state()).isEqualTo(RUNNING);
        assertThat(d.hooks).containsExactly("discardSessions");
        assertThat(seen).containsExactly("PRE_COPY_P2P->RUNNING");
    }

    @ParameterizedTest(name = "p2p {0}")
    @ValueSource(booleans = {true, false})
    void dataStreamCallsOnlyInTheirStates(boolean p2p) {
        for (DeviceState s : DeviceState.values()) {
            if (!s.exists(p2p)) {
                continue;
            }
            ProbeDevice d = deviceIn(s, p2p);
            check(() -> d.read(ByteBuffer.allocate(16)), s.isSaving(), s, "reading the data stream");
            check(d::precopyInfo, s.isPrecopy(), s, "VFIO_MIG_GET_PRECOPY_INFO");
            check(() -> d.write(ByteBuffer.allocate(16)), s == RESUMING, s, "writing the data stream");
        }
    }

    private static void check(Runnable call, boolean allowed, DeviceState s, String what) {
        if (allowed) {
            assertThatCode(call::run).as("%s in %s", what, s).doesNotThrowAnyException();
        } else {
            assertThatThrownBy(call::run).as("%s in %s", what, s).isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(what + " is not allowed in state " + s);
        }
    }
}

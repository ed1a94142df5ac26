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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The state machine of the VFIO migration v2 uAPI, checked against its arcs and its combined
 * transitions as linux/vfio.h describes them. The tables below are written out by hand.
 */
class DeviceStateTest {
    /** The arcs of a device with P2P support. */
    static final Map<DeviceState, Set<DeviceState>> ARCS_P2P = new EnumMap<>(Map.of(
            RUNNING, EnumSet.of(PRE_COPY, RUNNING_P2P),
            PRE_COPY, EnumSet.of(RUNNING, PRE_COPY_P2P),
            PRE_COPY_P2P, EnumSet.of(PRE_COPY, RUNNING_P2P, STOP_COPY),
            RUNNING_P2P, EnumSet.of(RUNNING, STOP, PRE_COPY_P2P),
            STOP, EnumSet.of(RUNNING_P2P, STOP_COPY, RESUMING),
            STOP_COPY, EnumSet.of(STOP),
            RESUMING, EnumSet.of(STOP),
            ERROR, EnumSet.noneOf(DeviceState.class)));

    /** The arcs of a device without P2P support. */
    static final Map<DeviceState, Set<DeviceState>> ARCS_NO_P2P = new EnumMap<>(Map.of(
            RUNNING, EnumSet.of(PRE_COPY, STOP),
            PRE_COPY, EnumSet.of(RUNNING, STOP_COPY),
            STOP, EnumSet.of(RUNNING, STOP_COPY, RESUMING),
            STOP_COPY, EnumSet.of(STOP),
            RESUMING, EnumSet.of(STOP),
            ERROR, EnumSet.noneOf(DeviceState.class)));

    static Map<DeviceState, Set<DeviceState>> arcs(boolean p2p) {
        return p2p ? ARCS_P2P : ARCS_NO_P2P;
    }

    /** Every ordered pair of the eight states, with and without P2P. */
    static Stream<Arguments> everyPair() {
        List<Arguments> all = new ArrayList<>();
        for (boolean p2p : new boolean[] {true, false}) {
            for (DeviceState from : DeviceState.values()) {
                for (DeviceState to : DeviceState.values()) {
                    all.add(Arguments.of(from, to, p2p));
                }
            }
        }
        return all.stream();
    }

    @Test
    void statesCarryTheUapiValues() {
        assertThat(DeviceState.values()).extracting(s -> s.value).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(List.of(ERROR, STOP, RUNNING, STOP_COPY, RESUMING, RUNNING_P2P, PRE_COPY, PRE_COPY_P2P))
                .extracting(s -> s.value).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    }

    @ParameterizedTest(name = "{0} -> {1}, p2p {2}")
    @MethodSource("everyPair")
    void transitionAcceptsExactlyTheUapiArcs(DeviceState from, DeviceState to, boolean p2p) {
        Set<DeviceState> legal = arcs(p2p).get(from);
        if (legal != null && legal.contains(to)) {
            assertThat(DeviceState.transition(from, to, p2p)).isEqualTo(to);
        } else {
            assertThatThrownBy(() -> DeviceState.transition(from, to, p2p))
                    .isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(from + " -> " + to);
        }
    }

    @ParameterizedTest(name = "p2p {0}")
    @ValueSource(booleans = {true, false})
    void nextListsTheArcsOfEachState(boolean p2p) {
        for (DeviceState s : DeviceState.values()) {
            Set<DeviceState> expected = arcs(p2p).getOrDefault(s, Set.of());
            assertThat(s.next(p2p)).as("next of %s", s).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void p2pStatesExistOnlyWithP2p() {
        for (DeviceState s : DeviceState.values()) {
            assertThat(s.exists(true)).as("%s with P2P", s).isTrue();
            assertThat(s.exists(false)).as("%s without P2P", s)
                    .isEqualTo(s != RUNNING_P2P && s != PRE_COPY_P2P);
        }
    }

    @Test
    void p2pStatesCannotBeEnteredOrLeftWithoutP2p() {
        for (DeviceState s : DeviceState.values()) {
            for (DeviceState p : List.of(RUNNING_P2P, PRE_COPY_P2P)) {
                assertThatThrownBy(() -> DeviceState.transition(s, p, false))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("without P2P");
                assertThatThrownBy(() -> DeviceState.transition(p, s, false))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("without P2P");
            }
        }
    }

    @ParameterizedTest(name = "p2p {0}")
    @ValueSource(booleans = {true, false})
    void errorIsNeverTheTargetOfAnArc(boolean p2p) {
        for (DeviceState s : DeviceState.values()) {
            assertThatThrownBy(() -> DeviceState.transition(s, ERROR, p2p)).isInstanceOf(IllegalStateException.class);
        }
    }

    @ParameterizedTest(name = "p2p {0}")
    @ValueSource(booleans = {true, false})
    void stopCopyNeverGoesBackToPreCopy(boolean p2p) {
        assertThatThrownBy(() -> DeviceState.transition(STOP_COPY, PRE_COPY, p2p))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("STOP_COPY -> PRE_COPY");
    }

    @Test
    void precopyAndSavingGroups() {
        assertThat(EnumSet.allOf(DeviceState.class).stream().filter(DeviceState::isPrecopy))
                .containsExactlyInAnyOrder(PRE_COPY, PRE_COPY_P2P);
        assertThat(EnumSet.allOf(DeviceState.class).stream().filter(DeviceState::isSaving))
                .containsExactlyInAnyOrder(PRE_COPY, PRE_COPY_P2P, STOP_COPY);
    }
}

package io.godwit.device;

import static io.godwit.device.DeviceState.ERROR;
import static io.godwit.device.DeviceState.PRE_COPY;
import static io.godwit.device.DeviceState.PRE_COPY_P2P;
import static io.godwit.device.DeviceState.RUNNING;
import static io.godwit.device.DeviceState.RUNNING_P2P;
import static io.godwit.device.DeviceState.STOP;
import static io.godwit.device.DeviceState.STOP_COPY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Combined requests (linux/vfio.h, "combination transitions"): the shortest way through the arcs,
 * never through a saving state (PRE_COPY, PRE_COPY_P2P, STOP_COPY) unless both ends are saving
 * states, and never from STOP_COPY back into pre-copy. Every pair is written out by hand; "-" means
 * the request is refused.
 */
class DevicePathTest {
    static final String[] P2P = {
        "RUNNING      > PRE_COPY     : PRE_COPY",
        "RUNNING      > PRE_COPY_P2P : RUNNING_P2P PRE_COPY_P2P",
        "RUNNING      > RUNNING_P2P  : RUNNING_P2P",
        "RUNNING      > STOP         : RUNNING_P2P STOP",
        "RUNNING      > STOP_COPY    : RUNNING_P2P STOP STOP_COPY",
        "RUNNING      > RESUMING     : RUNNING_P2P STOP RESUMING",
        "PRE_COPY     > RUNNING      : RUNNING",
        "PRE_COPY     > PRE_COPY_P2P : PRE_COPY_P2P",
        "PRE_COPY     > RUNNING_P2P  : RUNNING RUNNING_P2P",
        "PRE_COPY     > STOP         : RUNNING RUNNING_P2P STOP",
        "PRE_COPY     > STOP_COPY    : PRE_COPY_P2P STOP_COPY",
        "PRE_COPY     > RESUMING     : RUNNING RUNNING_P2P STOP RESUMING",
        "PRE_COPY_P2P > RUNNING      : RUNNING_P2P RUNNING",
        "PRE_COPY_P2P > PRE_COPY     : PRE_COPY",
        "PRE_COPY_P2P > RUNNING_P2P  : RUNNING_P2P",
        "PRE_COPY_P2P > STOP         : RUNNING_P2P STOP",
        "PRE_COPY_P2P > STOP_COPY    : STOP_COPY",
        "PRE_COPY_P2P > RESUMING     : RUNNING_P2P STOP RESUMING",
        "RUNNING_P2P  > RUNNING      : RUNNING",
        "RUNNING_P2P  > PRE_COPY     : RUNNING PRE_COPY",
        "RUNNING_P2P  > PRE_COPY_P2P : PRE_COPY_P2P",
        "RUNNING_P2P  > STOP         : STOP",
        "RUNNING_P2P  > STOP_COPY    : STOP STOP_COPY",
        "RUNNING_P2P  > RESUMING     : STOP RESUMING",
        "STOP         > RUNNING      : RUNNING_P2P RUNNING",
        "STOP         > PRE_COPY     : RUNNING_P2P RUNNING PRE_COPY",
        "STOP         > PRE_COPY_P2P : RUNNING_P2P PRE_COPY_P2P",
        "STOP         > RUNNING_P2P  : RUNNING_P2P",
        "STOP         > STOP_COPY    : STOP_COPY",
        "STOP         > RESUMING     : RESUMING",
        "STOP_COPY    > RUNNING      : STOP RUNNING_P2P RUNNING",
        "STOP_COPY    > PRE_COPY     : -",
        "STOP_COPY    > PRE_COPY_P2P : -",
        "STOP_COPY    > RUNNING_P2P  : STOP RUNNING_P2P",
        "STOP_COPY    > STOP         : STOP",
        "STOP_COPY    > RESUMING     : STOP RESUMING",
        "RESUMING     > RUNNING      : STOP RUNNING_P2P RUNNING",
        "RESUMING     > PRE_COPY     : STOP RUNNING_P2P RUNNING PRE_COPY",
        "RESUMING     > PRE_COPY_P2P : STOP RUNNING_P2P PRE_COPY_P2P",
        "RESUMING     > RUNNING_P2P  : STOP RUNNING_P2P",
        "RESUMING     > STOP         : STOP",
        "RESUMING     > STOP_COPY    : STOP STOP_COPY",
    };

    static final String[] NO_P2P = {
        "RUNNING      > PRE_COPY     : PRE_COPY",
        "RUNNING      > STOP         : STOP",
        "RUNNING      > STOP_COPY    : STOP STOP_COPY",
        "RUNNING      > RESUMING     : STOP RESUMING",
        "PRE_COPY     > RUNNING      : RUNNING",
        "PRE_COPY     > STOP         : RUNNING STOP",
        "PRE_COPY     > STOP_COPY    : STOP_COPY",
        "PRE_COPY     > RESUMING     : RUNNING STOP RESUMING",
        "STOP         > RUNNING      : RUNNING",
        "STOP         > PRE_COPY     : RUNNING PRE_COPY",
        "STOP         > STOP_COPY    : STOP_COPY",
        "STOP         > RESUMING     : RESUMING",
        "STOP_COPY    > RUNNING      : STOP RUNNING",
        "STOP_COPY    > PRE_COPY     : -",
        "STOP_COPY    > STOP         : STOP",
        "STOP_COPY    > RESUMING     : STOP RESUMING",
        "RESUMING     > RUNNING      : STOP RUNNING",
        "RESUMING     > PRE_COPY     : STOP RUNNING PRE_COPY",
        "RESUMING     > STOP         : STOP",
        "RESUMING     > STOP_COPY    : STOP STOP_COPY",
    };

    /** A row of a table: from, to, and the path or null when refused. */
    record Row(DeviceState from, DeviceState to, List<DeviceState> path, boolean p2p) {
        @Override
        public String toString() {
            return from + " -> " + to + (p2p ? "" : " (no P2P)");
        }
    }

    static List<Row> rows(String[] table, boolean p2p) {
        List<Row> rows = new ArrayList<>();
        for (String line : table) {
            String[] ends = line.split(":")[0].split(">");
            String way = line.split(":")[1].trim();
            List<DeviceState> path = way.equals("-") ? null
                    : Arrays.stream(way.split("\\s+")).map(DeviceState::valueOf).toList();
            rows.add(new Row(DeviceState.valueOf(ends[0].trim()), DeviceState.valueOf(ends[1].trim()), path, p2p));
        }
        return rows;
    }

    static Stream<Arguments> table() {
        return Stream.concat(rows(P2P, true).stream(), rows(NO_P2P, false).stream()).map(Arguments::of);
    }

    @Test
    void tablesCoverEveryPairOfExistingStatesOtherThanError() {
        assertThat(rows(P2P, true)).hasSize(7 * 6);
        assertThat(rows(NO_P2P, false)).hasSize(5 * 4);
        assertThat(rows(P2P, true).stream().map(r -> r.from() + ">" + r.to()).distinct()).hasSize(42);
        assertThat(rows(NO_P2P, false).stream().map(r -> r.from() + ">" + r.to()).distinct()).hasSize(20);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void pathIsTheShortestLegalOne(Row row) {
        if (row.path() == null) {
            assertThatThrownBy(() -> DeviceState.path(row.from(), row.to(), row.p2p()))
                    .isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(row.from().toString()).hasMessageContaining(row.to().toString());
        } else {
            assertThat(DeviceState.path(row.from(), row.to(), row.p2p())).containsExactlyElementsOf(row.path());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void tableRowsThemselvesObeyTheRules(Row row) {
        if (row.path() == null) {
            return;
        }
        DeviceState at = row.from();
        for (DeviceState s : row.path()) {
            assertThat(DeviceStateTest.arcs(row.p2p()).get(at)).as("arc %s -> %s", at, s).contains(s);
            at = s;
        }
        assertThat(at).isEqualTo(row.to());
        boolean bothSaving = row.from().isSaving() && row.to().isSaving();
        for (DeviceState interior : row.path().subList(0, row.path().size() - 1)) {
            assertThat(interior.isSaving()).as("interior %s", interior).isEqualTo(bothSaving);
        }
    }

    @ParameterizedTest(name = "p2p {0}")
    @ValueSource(booleans = {true, false})
    void aStateToItselfIsNoStep(boolean p2p) {
        for (DeviceState s : DeviceState.values()) {
            if (s.exists(p2p)) {
                assertThat(DeviceState.path(s, s, p2p)).isEmpty();
            }
        }
    }

    @ParameterizedTest(name = "p2p {0}")
    @ValueSource(booleans = {true, false})
    void errorIsNeitherLeftNorReachedByAPath(boolean p2p) {
        for (DeviceState s : DeviceState.values()) {
            if (s == ERROR || !s.exists(p2p)) {
                continue;
            }
            assertThatThrownBy(() -> DeviceState.path(s, ERROR, p2p)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> DeviceState.path(ERROR, s, p2p)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void p2pStatesAreNotReachableWithoutP2p() {
        for (DeviceState s : List.of(RUNNING, PRE_COPY, STOP, STOP_COPY)) {
            assertThatThrownBy(() -> DeviceState.path(s, RUNNING_P2P, false))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("without P2P");
            assertThatThrownBy(() -> DeviceState.path(s, PRE_COPY_P2P, false))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("without P2P");
        }
    }
}

package io.godwit.migration;

import static io.godwit.migration.MigrationStatus.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The status machine: every one of the 196 arcs is either legal (returned) or refused naming both states. */
class MigrationStatusTest {
    /** The legal arcs, written out independently of the implementation. */
    static final Map<MigrationStatus, Set<MigrationStatus>> LEGAL = new EnumMap<>(MigrationStatus.class);

    static {
        LEGAL.put(NONE, EnumSet.of(SETUP, FAILED, CANCELLING));
        LEGAL.put(SETUP, EnumSet.of(ACTIVE, FAILED, CANCELLING));
        LEGAL.put(ACTIVE, EnumSet.of(PRE_SWITCHOVER, DEVICE, POSTCOPY_ACTIVE, COMPLETED, FAILED, CANCELLING));
        LEGAL.put(PRE_SWITCHOVER, EnumSet.of(DEVICE, FAILED, CANCELLING));
        LEGAL.put(DEVICE, EnumSet.of(COMPLETED, POSTCOPY_DEVICE, POSTCOPY_ACTIVE, FAILED, CANCELLING));
        // after the package: never cancelled, never back to pre-copy
        LEGAL.put(POSTCOPY_DEVICE, EnumSet.of(POSTCOPY_ACTIVE, POSTCOPY_PAUSED, FAILED));
        LEGAL.put(POSTCOPY_ACTIVE, EnumSet.of(COMPLETED, POSTCOPY_PAUSED, FAILED));
        LEGAL.put(POSTCOPY_PAUSED, EnumSet.of(POSTCOPY_RECOVER_SETUP, POSTCOPY_RECOVER, FAILED));
        LEGAL.put(POSTCOPY_RECOVER_SETUP, EnumSet.of(POSTCOPY_RECOVER, POSTCOPY_PAUSED, FAILED));
        LEGAL.put(POSTCOPY_RECOVER, EnumSet.of(POSTCOPY_ACTIVE, POSTCOPY_PAUSED, FAILED));
        LEGAL.put(CANCELLING, EnumSet.of(CANCELLED, FAILED));
        LEGAL.put(COMPLETED, EnumSet.noneOf(MigrationStatus.class));
        LEGAL.put(FAILED, EnumSet.noneOf(MigrationStatus.class));
        LEGAL.put(CANCELLED, EnumSet.noneOf(MigrationStatus.class));
    }

    static List<Arguments> allArcs() {
        List<Arguments> arcs = new ArrayList<>();
        for (MigrationStatus from : values()) {
            for (MigrationStatus to : values()) {
                arcs.add(Arguments.of(from, to));
            }
        }
        return arcs;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("allArcs")
    void acceptsExactlyTheLegalArcs(MigrationStatus from, MigrationStatus to) {
        if (LEGAL.get(from).contains(to)) {
            assertThat(MigrationStatus.transition(from, to)).isSameAs(to);
        } else {
            assertThatIllegalStateException()
                    .isThrownBy(() -> MigrationStatus.transition(from, to))
                    .withMessage("illegal migration state change: " + from.qmpName + " -> " + to.qmpName);
        }
    }

    @Test
    void theTableCoversEveryStatus() {
        assertThat(LEGAL.keySet()).containsExactlyInAnyOrder(values());
    }

    @Test
    void noStatusLeadsBackToItself() {
        for (MigrationStatus s : values()) {
            assertThatIllegalStateException().isThrownBy(() -> MigrationStatus.transition(s, s));
        }
    }

    @Test
    void namesAreQemus() {
        assertThat(Arrays.stream(values()).map(s -> s.qmpName)).containsExactly("none", "setup", "cancelling",
                "cancelled", "active", "postcopy-device", "postcopy-active", "postcopy-paused", "postcopy-recover-setup",
                "postcopy-recover", "completed",
                "failed", "pre-switchover", "device");
        for (MigrationStatus s : values()) {
            assertThat(MigrationStatus.byQmpName(s.qmpName)).isSameAs(s);
        }
        assertThatIllegalArgumentException().isThrownBy(() -> MigrationStatus.byQmpName("finished"))
                .withMessageContaining("finished");
    }

    @Test
    void terminalAndActiveStatuses() {
        assertThat(Arrays.stream(values()).filter(MigrationStatus::isTerminal))
                .containsExactlyInAnyOrder(COMPLETED, FAILED, CANCELLED);
        assertThat(Arrays.stream(values()).filter(MigrationStatus::isActive)).containsExactlyInAnyOrder(SETUP,
                CANCELLING, ACTIVE, POSTCOPY_DEVICE, POSTCOPY_ACTIVE, POSTCOPY_PAUSED, POSTCOPY_RECOVER_SETUP,
                POSTCOPY_RECOVER, PRE_SWITCHOVER, DEVICE);
        assertThat(Arrays.stream(values()).filter(MigrationStatus::isPostcopy)).containsExactlyInAnyOrder(
                POSTCOPY_DEVICE, POSTCOPY_ACTIVE, POSTCOPY_PAUSED, POSTCOPY_RECOVER_SETUP, POSTCOPY_RECOVER);
        for (MigrationStatus s : values()) {
            assertThat(LEGAL.get(s).isEmpty()).as("%s has no way out iff it is terminal", s).isEqualTo(s.isTerminal());
        }
    }
}

package io.godwit.options;

import static io.godwit.options.Capability.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Capabilities: QEMU's names, what Godwit supports, and QEMU's dependency checks. */
class CapabilitiesTest {
    static final String ACK_NEEDS_RETURN_PATH = "Capability 'switchover-ack' requires capability 'return-path'";

    @Test
    void defaultsAreAllOff() {
        Capabilities c = Capabilities.defaults();
        assertThat(c.enabled()).isEmpty();
        for (Capability cap : Capability.values()) {
            assertThat(c.has(cap)).isFalse();
        }
    }

    @Test
    void namesAreQemus() {
        assertThat(Arrays.stream(Capability.values()).map(c -> c.qmpName)).containsExactly("xbzrle",
                "rdma-pin-all", "auto-converge", "zero-blocks", "events", "postcopy-ram", "x-colo", "release-ram",
                "block", "return-path", "pause-before-switchover", "multifd", "dirty-bitmaps", "postcopy-blocktime",
                "late-block-activate", "x-ignore-shared", "validate-uuid", "background-snapshot", "zero-copy-send",
                "postcopy-preempt", "switchover-ack", "dirty-limit", "mapped-ram");
        for (Capability c : Capability.values()) {
            assertThat(Capability.byName(c.qmpName)).isSameAs(c);
        }
        assertThat(Capability.byName("return_path")).isNull();
    }

    @Test
    void godwitSupportsTheCapabilitiesItImplements() {
        assertThat(Arrays.stream(Capability.values()).filter(c -> c.supported))
                .containsExactlyInAnyOrder(EVENTS, RETURN_PATH, SWITCHOVER_ACK, BLOCK, ZERO_BLOCKS, DIRTY_BITMAPS,
                        POSTCOPY_RAM, POSTCOPY_BLOCKTIME, LATE_BLOCK_ACTIVATE, MULTIFD, POSTCOPY_PREEMPT, AUTO_CONVERGE,
                        DIRTY_LIMIT, XBZRLE);
    }

    @ParameterizedTest
    @EnumSource(value = Capability.class, names = {"EVENTS", "RETURN_PATH", "SWITCHOVER_ACK", "BLOCK", "ZERO_BLOCKS",
        "DIRTY_BITMAPS", "POSTCOPY_RAM", "POSTCOPY_BLOCKTIME", "LATE_BLOCK_ACTIVATE", "MULTIFD", "POSTCOPY_PREEMPT",
        "AUTO_CONVERGE", "DIRTY_LIMIT", "XBZRLE"},
        mode = EnumSource.Mode.EXCLUDE)
    void refusesToEnableAnUnsupportedCapabilityNamingIt(Capability cap) {
        String message = "Capability '" + cap.qmpName + "' is not supported by Godwit";
        assertThatIllegalArgumentException().isThrownBy(() -> Capabilities.of(cap)).withMessage(message);
        assertThatIllegalArgumentException().isThrownBy(() -> Capabilities.defaults().plus(cap)).withMessage(message);
        assertThatIllegalArgumentException().isThrownBy(() -> Capabilities.defaults().with(Map.of(cap, true)))
                .withMessage(message);
    }

    @Test
    void refusesDirtyLimitWithAutoConvergeAsQemuDoes() {
        String message = "dirty-limit conflicts with auto-converge either of then available currently";
        assertThatIllegalArgumentException().isThrownBy(() -> Capabilities.of(AUTO_CONVERGE, DIRTY_LIMIT))
                .withMessage(message);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Capabilities.of(AUTO_CONVERGE).with(Map.of(DIRTY_LIMIT, true))).withMessage(message);
        assertThat(Capabilities.of(AUTO_CONVERGE).with(Map.of(AUTO_CONVERGE, false, DIRTY_LIMIT, true)).enabled())
                .containsExactly(DIRTY_LIMIT);
    }

    @ParameterizedTest
    @EnumSource(Capability.class)
    void disablingAnyCapabilityIsAccepted(Capability cap) {
        assertThat(Capabilities.defaults().with(Map.of(cap, false)).enabled()).isEmpty();
    }

    @Test
    void enablesSupportedCapabilities() {
        Capabilities c = Capabilities.defaults().with(Map.of(EVENTS, true, RETURN_PATH, true));
        assertThat(c.enabled()).containsExactlyInAnyOrder(EVENTS, RETURN_PATH);
        assertThat(c.with(Map.of(EVENTS, false)).enabled()).containsExactly(RETURN_PATH);
        assertThat(c).isEqualTo(Capabilities.of(RETURN_PATH, EVENTS));
    }

    @Test
    void postcopyPreemptNeedsPostcopyRam() {
        String message = "Postcopy preempt requires postcopy-ram";
        assertThatIllegalArgumentException().isThrownBy(() -> Capabilities.of(POSTCOPY_PREEMPT)).withMessage(message);
        assertThatIllegalArgumentException().isThrownBy(() -> Capabilities.of(POSTCOPY_RAM, POSTCOPY_PREEMPT)
                .with(Map.of(POSTCOPY_RAM, false))).withMessage(message);
        assertThat(Capabilities.of(POSTCOPY_PREEMPT, POSTCOPY_RAM).has(POSTCOPY_PREEMPT)).isTrue();
    }

    @Test
    void switchoverAckWithoutReturnPathIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> Capabilities.defaults().with(Map.of(SWITCHOVER_ACK, true)))
                .withMessage(ACK_NEEDS_RETURN_PATH);
        assertThatIllegalArgumentException().isThrownBy(() -> Capabilities.of(SWITCHOVER_ACK))
                .withMessage(ACK_NEEDS_RETURN_PATH);
        assertThatIllegalArgumentException().isThrownBy(() -> Capabilities.of(EVENTS).plus(SWITCHOVER_ACK))
                .withMessage(ACK_NEEDS_RETURN_PATH);
    }

    @Test
    void switchoverAckWithReturnPathIsAcceptedInAnyOrder() {
        assertThat(Capabilities.of(RETURN_PATH, SWITCHOVER_ACK).enabled())
                .containsExactlyInAnyOrder(RETURN_PATH, SWITCHOVER_ACK);
        assertThat(Capabilities.of(SWITCHOVER_ACK, RETURN_PATH)).isEqualTo(Capabilities.of(RETURN_PATH, SWITCHOVER_ACK));
        assertThat(Capabilities.of(RETURN_PATH).plus(SWITCHOVER_ACK).has(SWITCHOVER_ACK)).isTrue();
        Map<Capability, Boolean> batch = new LinkedHashMap<>();
        batch.put(SWITCHOVER_ACK, true);
        batch.put(RETURN_PATH, true);
        assertThat(Capabilities.defaults().with(batch).has(SWITCHOVER_ACK)).isTrue();
    }

    @Test
    void turningReturnPathOffUnderSwitchoverAckIsRefused() {
        Capabilities both = Capabilities.of(RETURN_PATH, SWITCHOVER_ACK);
        assertThatIllegalArgumentException().isThrownBy(() -> both.with(Map.of(RETURN_PATH, false)))
                .withMessage(ACK_NEEDS_RETURN_PATH);
        assertThat(both.with(Map.of(RETURN_PATH, false, SWITCHOVER_ACK, false)).enabled()).isEmpty();
    }

    @Test
    void aRefusedBatchChangesNothing() {
        Capabilities c = Capabilities.of(EVENTS);
        Map<Capability, Boolean> batch = new LinkedHashMap<>();
        batch.put(RETURN_PATH, true);
        batch.put(Capability.X_COLO, true);
        assertThatIllegalArgumentException().isThrownBy(() -> c.with(batch)).withMessageContaining("'x-colo'");
        assertThat(c.enabled()).containsExactly(EVENTS);
    }

    @Test
    void xbzrleIsAcceptedAloneAndWithPostcopyButNotWithMultifd() {
        assertThat(Capabilities.of(XBZRLE).has(XBZRLE)).isTrue();
        assertThat(Capabilities.of(XBZRLE, Capability.POSTCOPY_RAM).enabled()).hasSize(2); // QEMU takes both
        assertThatIllegalArgumentException().isThrownBy(() -> Capabilities.of(XBZRLE, Capability.MULTIFD))
                .withMessage("Multifd is not compatible with xbzrle");
        assertThatIllegalArgumentException().isThrownBy(() -> Capabilities.of(Capability.MULTIFD)
                .with(Map.of(XBZRLE, true))).withMessage("Multifd is not compatible with xbzrle");
    }

    @Test
    void xbzrleCacheSizeIsAPowerOfTwoOfAtLeastAPageWithQemusDefault() {
        assertThat(XbzrleParameters.defaults().cacheSize()).isEqualTo(64L << 20);
        assertThat(XbzrleParameters.defaults().with("xbzrle-cache-size", 4096L).cacheSize()).isEqualTo(4096);
        for (long bad : new long[] {0, 2048, 3L << 20, -4096}) {
            assertThatIllegalArgumentException().isThrownBy(() -> new XbzrleParameters(bad)).withMessage(
                    "Parameter 'xbzrle_cache_size' expects a power of two no less than the target page size");
        }
        assertThatIllegalArgumentException().isThrownBy(() -> XbzrleParameters.defaults()
                .with("xbzrle-cache-size", "big")).withMessage("Parameter 'xbzrle-cache-size' expects an integer");
    }

    @Test
    void postcopyAndMultifdAreRefusedTogether() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Capabilities.of(Capability.POSTCOPY_RAM, Capability.MULTIFD))
                .withMessage("Postcopy is not yet compatible with multifd");
    }
}

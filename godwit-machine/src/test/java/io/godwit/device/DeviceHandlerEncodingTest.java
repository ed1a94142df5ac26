package io.godwit.device;

import io.godwit.reference.device.SyntheticDevice;
import static io.godwit.device.DeviceState.PRE_COPY;
import static io.godwit.device.DeviceState.PRE_COPY_P2P;
import static io.godwit.device.DeviceState.RESUMING;
import static io.godwit.device.DeviceState.RUNNING;
import static io.godwit.device.DeviceState.RUNNING_P2P;
import static io.godwit.device.DeviceState.STOP;
import static io.godwit.device.DeviceState.STOP_COPY;
import static io.godwit.stream.Bytes.ascii;
import static io.godwit.stream.Bytes.be32;
import static io.godwit.stream.Bytes.be64;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the device handler writes (hw/vfio/migration.c), in the record layout that
 * {@link DeviceRecordReader} documents: a DATA record per read of the device's data stream,
 * END_OF_STATE closing each payload, and INIT_DATA_SENT once in place of it when switchover-ack
 * is in use.
 */
class DeviceHandlerEncodingTest {
    static final byte[] END = hex("ffffffff ef100001");
    static final byte[] CONFIG = hex("ffffffff ef100002");
    static final byte[] SETUP = hex("ffffffff ef100003");
    static final byte[] DATA = hex("ffffffff ef100004");
    static final byte[] INIT_DATA_SENT = hex("ffffffff ef100005");
    static final int BLOCK = 4096;

    /** A device of zero bytes (seed 0), so the golden bytes can be written out. */
    static SyntheticDevice zeros(int blocks) {
        return new SyntheticDevice("dev", (long) blocks * BLOCK, 0, 0, false, 0);
    }

    /** A DATA record holding one device record of {@code blocks} zero blocks at {@code block}. */
    static byte[] data(int block, int blocks) {
        return concat(DATA, be64(12 + (long) blocks * BLOCK), be64((long) block * BLOCK), be32(blocks * BLOCK),
                new byte[blocks * BLOCK]);
    }

    @Test
    void markersHaveVfioValues() {
        assertThat(END).containsExactly(be64(0xffffffffef100001L));
        assertThat(CONFIG).containsExactly(be64(0xffffffffef100002L));
        assertThat(SETUP).containsExactly(be64(0xffffffffef100003L));
        assertThat(DATA).containsExactly(be64(0xffffffffef100004L));
        assertThat(INIT_DATA_SENT).containsExactly(be64(0xffffffffef100005L));
    }

    @Test
    void setupOfARunningDeviceWritesSetupEndAndEntersPreCopy() throws IOException {
        SyntheticDevice d = zeros(2);
        DeviceSource src = new DeviceSource(d, PendingPolicy.LEGACY);
        assertThat(src.setup()).containsExactly(concat(SETUP, END));
        assertThat(d.state()).isEqualTo(PRE_COPY);
        assertThat(src.handler.isActiveIterate()).isTrue();
    }

    @Test
    void setupOfAStoppedDeviceLeavesItStopped() throws IOException {
        SyntheticDevice d = zeros(2);
        d.setState(STOP);
        DeviceSource src = new DeviceSource(d, PendingPolicy.LEGACY);
        assertThat(src.setup()).containsExactly(concat(SETUP, END));
        assertThat(d.state()).isEqualTo(STOP);
        assertThat(src.handler.isActiveIterate()).isFalse();
    }

    @Test
    void setupRefusesADeviceThatCannotStartMigrating() throws IOException {
        for (DeviceState s : new DeviceState[] {RESUMING, STOP_COPY, RUNNING_P2P}) {
            SyntheticDevice d = new SyntheticDevice("dev", BLOCK, 0, 0, true, 0);
            d.setState(s);
            DeviceSource src = new DeviceSource(d, PendingPolicy.LEGACY);
            assertThatThrownBy(src::setup).isExactlyInstanceOf(IOException.class)
                    .hasMessageContaining("device dev cannot start migrating from state " + s);
        }
    }

    @Test
    void iterateWritesOneDataRecordThenEnd() throws IOException {
        DeviceSource src = new DeviceSource(zeros(2), PendingPolicy.LEGACY);
        src.setup();
        assertThat(src.handler.saveLiveIterate(src.ctx)).as("all sent").isTrue();
        assertThat(src.take()).containsExactly(concat(data(0, 2), END));
        assertThat(src.handler.transferred()).isEqualTo(12 + 2 * BLOCK);
        assertThat(src.iterate()).as("nothing more").containsExactly(END);
    }

    @Test
    void iterateSendsOneBufferOfAtMostAMebibyte() throws IOException {
        DeviceSource src = new DeviceSource(zeros(256), PendingPolicy.LEGACY);
        src.setup();
        assertThat(src.handler.saveLiveIterate(src.ctx)).as("initial data left").isFalse();
        assertThat(src.take()).containsExactly(concat(data(0, 255), END));
        assertThat(src.handler.saveLiveIterate(src.ctx)).isTrue();
        assertThat(src.take()).containsExactly(concat(data(255, 1), END));
        assertThat(src.handler.transferred()).isEqualTo(2 * 12 + 256 * BLOCK);
    }

    @Test
    void initDataSentReplacesEndOnceWhenTheInitialDataIsOut() throws IOException {
        DeviceSource src = new DeviceSource(zeros(256), PendingPolicy.SWITCHOVER_ACK, DeviceSource.ACK);
        src.setup();
        assertThat(src.iterate()).containsExactly(concat(data(0, 255), END));
        assertThat(src.iterate()).containsExactly(concat(data(255, 1), INIT_DATA_SENT));
        assertThat(src.iterate()).containsExactly(END);
        assertThat(src.iterate()).containsExactly(END);
    }

    @Test
    void initDataSentOnTheFirstIterationWhenOneBufferHoldsEverything() throws IOException {
        DeviceSource src = new DeviceSource(zeros(2), PendingPolicy.SWITCHOVER_ACK, DeviceSource.ACK);
        src.setup();
        assertThat(src.iterate()).containsExactly(concat(data(0, 2), INIT_DATA_SENT));
        assertThat(src.iterate()).containsExactly(END);
    }

    @Test
    void initDataSentAgainInANewMigration() throws IOException {
        SyntheticDevice d = zeros(2);
        DeviceSource src = new DeviceSource(d, PendingPolicy.SWITCHOVER_ACK, DeviceSource.ACK);
        src.setup();
        src.iterate();
        src.handler.saveCleanup();
        assertThat(d.state()).isEqualTo(RUNNING);
        src.setup();
        assertThat(src.iterate()).containsExactly(concat(data(0, 2), INIT_DATA_SENT));
    }

    static Stream<Arguments> ackNotInUse() {
        return Stream.of(
                Arguments.of(PendingPolicy.SWITCHOVER_ACK, Capabilities.defaults()),
                Arguments.of(PendingPolicy.SWITCHOVER_ACK, Capabilities.of(Capability.RETURN_PATH)),
                Arguments.of(PendingPolicy.LEGACY, DeviceSource.ACK),
                Arguments.of(PendingPolicy.THRESHOLD, DeviceSource.ACK),
                Arguments.of(PendingPolicy.COST_AWARE, DeviceSource.ACK));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("ackNotInUse")
    void noInitDataSentUnlessPolicyAndCapabilityBothSaySo(PendingPolicy policy, Capabilities caps) throws IOException {
        DeviceSource src = new DeviceSource(zeros(256), policy, caps);
        src.setup();
        assertThat(src.iterate()).containsExactly(concat(data(0, 255), END));
        assertThat(src.iterate()).containsExactly(concat(data(255, 1), END));
    }

    @Test
    void completeGoesToStopCopyAndDrainsTheRest() throws IOException {
        SyntheticDevice d = zeros(300);
        DeviceSource src = new DeviceSource(d, PendingPolicy.LEGACY);
        src.setup();
        assertThat(src.complete()).containsExactly(concat(data(0, 255), data(255, 45), END));
        assertThat(d.state()).isEqualTo(STOP_COPY);
        assertThat(src.handler.lastInitialBytes()).isZero();
        assertThat(src.handler.lastDirtyBytes()).isZero();
    }

    @Test
    void completeAfterEverythingWasSentIsJustEnd() throws IOException {
        SyntheticDevice d = zeros(2);
        DeviceSource src = new DeviceSource(d, PendingPolicy.LEGACY);
        src.setup();
        src.iterate();
        d.setState(STOP_COPY); // the machine stopped
        assertThat(src.complete()).containsExactly(END);
    }

    @Test
    void completeOfAStoppedDeviceSendsItsWholeState() throws IOException {
        SyntheticDevice d = zeros(3);
        d.setState(STOP);
        DeviceSource src = new DeviceSource(d, PendingPolicy.LEGACY);
        src.setup();
        assertThat(src.complete()).containsExactly(concat(data(0, 3), END));
        assertThat(d.state()).isEqualTo(STOP_COPY);
    }

    @Test
    void stateIsTheConfigurationInAFullSection() throws IOException {
        DeviceSource src = new DeviceSource(zeros(2), PendingPolicy.LEGACY);
        String describe = "synthetic 8192 bytes, dirty 0 B/s, load 0 B/s";
        assertThat(src.state()).containsExactly(concat(CONFIG, be32(describe.length()), ascii(describe), END));
        assertThat(src.handler.hasState()).isTrue();
        assertThat(src.handler.isLive()).isTrue();
    }

    @Test
    void cleanupReturnsAPreCopyDeviceToRunningAndAStopCopyDeviceToStop() throws IOException {
        SyntheticDevice d = new SyntheticDevice("dev", BLOCK, 0, 0, true, 0);
        DeviceSource src = new DeviceSource(d, PendingPolicy.LEGACY);
        src.setup();
        src.handler.saveCleanup();
        assertThat(d.state()).isEqualTo(RUNNING);

        src.setup();
        d.setState(PRE_COPY_P2P);
        src.handler.saveCleanup();
        assertThat(d.state()).isEqualTo(RUNNING);

        src.setup();
        src.complete();
        src.handler.saveCleanup();
        assertThat(d.state()).isEqualTo(STOP);

        src.handler.saveCleanup();
        assertThat(d.state()).as("a stopped device stays").isEqualTo(STOP);
    }

    @ParameterizedTest
    @EnumSource(DeviceState.class)
    void activeIterateOnlyInThePreCopyStates(DeviceState s) {
        SyntheticDevice d = new SyntheticDevice("dev", BLOCK, 0, 0, true, 0);
        if (s == DeviceState.ERROR) {
            d.setState(RESUMING);
            d.write(java.nio.ByteBuffer.wrap(new byte[1]));
            assertThatThrownBy(() -> d.setState(STOP)).isInstanceOf(IllegalStateException.class);
        } else {
            d.setState(s);
        }
        assertThat(d.state()).isEqualTo(s);
        assertThat(new DeviceHandler(d, PendingPolicy.LEGACY).isActiveIterate())
                .isEqualTo(s == PRE_COPY || s == PRE_COPY_P2P);
    }

    @ParameterizedTest
    @EnumSource(PendingPolicy.class)
    void switchoverAckNeededOnlyForTheSwitchoverAckPolicy(PendingPolicy p) {
        assertThat(new DeviceHandler(zeros(1), p).switchoverAckNeeded()).isEqualTo(p == PendingPolicy.SWITCHOVER_ACK);
    }

    @Test
    void policiesAreKnownByTheirQmpNames() {
        assertThat(PendingPolicy.byName("legacy")).isEqualTo(PendingPolicy.LEGACY);
        assertThat(PendingPolicy.byName("threshold")).isEqualTo(PendingPolicy.THRESHOLD);
        assertThat(PendingPolicy.byName("switchover-ack")).isEqualTo(PendingPolicy.SWITCHOVER_ACK);
        assertThat(PendingPolicy.byName("cost-aware")).isEqualTo(PendingPolicy.COST_AWARE);
        assertThatThrownBy(() -> PendingPolicy.byName("LEGACY")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown pending policy 'LEGACY'");
    }
}

package io.godwit.device;

import io.godwit.reference.device.SyntheticDevice;
import static io.godwit.device.DeviceHandlerEncodingTest.CONFIG;
import static io.godwit.device.DeviceHandlerEncodingTest.DATA;
import static io.godwit.device.DeviceHandlerEncodingTest.END;
import static io.godwit.device.DeviceHandlerEncodingTest.INIT_DATA_SENT;
import static io.godwit.device.DeviceHandlerEncodingTest.SETUP;
import static io.godwit.device.DeviceState.RESUMING;
import static io.godwit.device.DeviceState.STOP;
import static io.godwit.stream.Bytes.ascii;
import static io.godwit.stream.Bytes.be32;
import static io.godwit.stream.Bytes.be64;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Refusal.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.savevm.LoadContext;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.TruncatedStreamException;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * The destination side of the device handler: payloads loaded into a device in RESUMING, and the
 * payloads it refuses, with the offset of the offending marker in the payload.
 */
class DeviceHandlerLoadTest {
    static final int BLOCK = 4096;
    static final String DESCRIBE = "synthetic 8192 bytes, dirty 0 B/s, load 0 B/s";
    /** A DATA record with an empty device record: 8 + 8 + 12 bytes. */
    static final byte[] EMPTY_DATA = concat(DATA, be64(12), be64(0), be32(0));

    final SyntheticDevice device = new SyntheticDevice("dev", 2 * BLOCK, 0, 0, false, 5);
    final AtomicInteger approvals = new AtomicInteger();

    LoadContext context(byte[] payload, Capabilities caps) {
        return new LoadContext(Bytes.chopped(payload, payload.length), caps, approvals::incrementAndGet);
    }

    ThrowingCallable loading(byte[] payload, PendingPolicy policy, Capabilities caps) {
        return () -> {
            DeviceHandler h = new DeviceHandler(device, policy);
            LoadContext ctx = context(payload, caps);
            h.loadSetup(ctx);
            h.loadState(ctx, DeviceHandler.VERSION);
        };
    }

    ThrowingCallable loading(byte[] payload) {
        return loading(payload, PendingPolicy.LEGACY, Capabilities.defaults());
    }

    @Test
    void aSourceRunLoadsIntoAnEqualDevice() throws IOException {
        SyntheticDevice srcDevice = new SyntheticDevice("dev", 2 * BLOCK, 0, 0, false, 9);
        DeviceSource src = new DeviceSource(srcDevice, PendingPolicy.SWITCHOVER_ACK, DeviceSource.ACK);
        byte[][] payloads = {src.setup(), src.iterate(), src.iterate(), src.complete(), src.state()};
        assertThat(device.digest()).isNotEqualTo(srcDevice.digest());

        DeviceHandler dest = new DeviceHandler(device, PendingPolicy.SWITCHOVER_ACK);
        dest.loadSetup(context(new byte[0], DeviceSource.ACK));
        assertThat(device.state()).isEqualTo(RESUMING);
        for (byte[] p : payloads) {
            LoadContext ctx = context(p, DeviceSource.ACK);
            dest.loadState(ctx, DeviceHandler.VERSION);
            assertThat(ctx.in().hasMore()).as("payload read to its end").isFalse();
        }
        assertThat(approvals).hasValue(1);
        device.setState(STOP);
        assertThat(device.digest()).isEqualTo(srcDevice.digest());
    }

    @Test
    void loadSetupResetsADeviceLeftOverFromAFailedLoad() throws IOException {
        device.setState(RESUMING);
        device.write(java.nio.ByteBuffer.wrap(new byte[5]));
        DeviceHandler h = new DeviceHandler(device, PendingPolicy.LEGACY);
        h.loadSetup(context(new byte[0], Capabilities.defaults()));
        assertThat(device.state()).isEqualTo(RESUMING);
        device.setState(STOP); // the half record of the failed load is gone

        device.setState(RESUMING);
        device.write(java.nio.ByteBuffer.wrap(new byte[5]));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> device.setState(STOP))
                .isInstanceOf(IllegalStateException.class);
        assertThat(device.state()).isEqualTo(DeviceState.ERROR);
        h.loadSetup(context(new byte[0], Capabilities.defaults()));
        assertThat(device.state()).isEqualTo(RESUMING);
    }

    @Test
    void initDataSentCallsTheApproval() throws IOException {
        DeviceHandler h = new DeviceHandler(device, PendingPolicy.SWITCHOVER_ACK);
        LoadContext ctx = context(concat(EMPTY_DATA, INIT_DATA_SENT), DeviceSource.ACK);
        h.loadSetup(ctx);
        h.loadState(ctx, DeviceHandler.VERSION);
        assertThat(approvals).hasValue(1);
    }

    @Test
    void refusesAnUnknownMarker() {
        assertRefused(loading(concat(be64(0xffffffffef100006L), END)), StreamFormatException.class, 0,
                "device dev: unknown marker 0xffffffffef100006; expected one of END_OF_STATE, CONFIG, SETUP, DATA, "
                        + "INIT_DATA_SENT");
    }

    @Test
    void refusesAnUnknownMarkerAfterData() {
        assertRefused(loading(concat(EMPTY_DATA, EMPTY_DATA, be64(0), END)), StreamFormatException.class, 56,
                "unknown marker 0x0000000000000000");
    }

    @Test
    void refusesInitDataSentWhenTheCapabilityIsOff() {
        assertRefused(loading(concat(EMPTY_DATA, INIT_DATA_SENT), PendingPolicy.SWITCHOVER_ACK,
                Capabilities.of(Capability.RETURN_PATH)), StreamFormatException.class, 28,
                "device dev: INIT_DATA_SENT but switchover-ack is not in use here");
        assertThat(approvals).hasValue(0);
    }

    @Test
    void refusesInitDataSentWhenThePolicyIsNotSwitchoverAck() {
        for (PendingPolicy p : new PendingPolicy[] {PendingPolicy.LEGACY, PendingPolicy.THRESHOLD,
                PendingPolicy.COST_AWARE}) {
            assertRefused(loading(INIT_DATA_SENT, p, DeviceSource.ACK), StreamFormatException.class, 0,
                    "INIT_DATA_SENT but switchover-ack is not in use here");
        }
        assertThat(approvals).hasValue(0);
    }

    @Test
    void acceptsTheMatchingConfiguration() {
        org.assertj.core.api.Assertions.assertThatCode(
                loading(concat(CONFIG, be32(DESCRIBE.length()), ascii(DESCRIBE), END))).doesNotThrowAnyException();
    }

    @Test
    void refusesAConfigurationThatDiffers() {
        String other = "synthetic 4096 bytes, dirty 0 B/s, load 0 B/s";
        assertRefused(loading(concat(CONFIG, be32(other.length()), ascii(other), END)), StreamFormatException.class,
                0, "device dev: configuration differs: source '" + other + "', here '" + DESCRIBE + "'");
    }

    @Test
    void refusesAConfigurationOfMoreThan4KiB() {
        assertRefused(loading(concat(CONFIG, be32(4097), new byte[4097], END)), StreamFormatException.class, 0,
                "device dev: configuration of 4097 bytes");
        assertRefused(loading(concat(CONFIG, be32(-1), END)), StreamFormatException.class, 0,
                "device dev: configuration of -1 bytes");
    }

    @Test
    void refusesAConfigurationNotClosedByEnd() {
        byte[] config = concat(CONFIG, be32(DESCRIBE.length()), ascii(DESCRIBE));
        assertRefused(loading(concat(config, SETUP)), StreamFormatException.class, config.length,
                "device dev: CONFIG STATE not closed: expected END_OF_STATE, found 0xffffffffef100003");
    }

    @Test
    void refusesASetupNotClosedByEnd() {
        assertRefused(loading(concat(SETUP, EMPTY_DATA)), StreamFormatException.class, 8,
                "device dev: SETUP STATE not closed: expected END_OF_STATE, found 0xffffffffef100004");
    }

    @Test
    void refusesADataRecordOfMoreThanAGibibyte() {
        assertRefused(loading(concat(EMPTY_DATA, DATA, be64((1L << 30) + 1))), StreamFormatException.class, 28,
                "device dev: data record of 1073741825 bytes; expected at most 1 GiB");
        assertRefused(loading(concat(DATA, be64(-1))), StreamFormatException.class, 0,
                "data record of -1 bytes");
    }

    @Test
    void refusesAPayloadThatEndsWithoutEnd() {
        assertRefused(loading(concat(EMPTY_DATA, hex("ffff"))), TruncatedStreamException.class, 28,
                "expected 8 bytes");
    }

    @Test
    void aDataRecordGoesIntoTheDevice() throws IOException {
        byte[] block = new byte[BLOCK];
        java.util.Arrays.fill(block, (byte) 0x5a);
        byte[] payload = concat(DATA, be64(12 + BLOCK), be64(BLOCK), be32(BLOCK), block, END);
        DeviceHandler h = new DeviceHandler(device, PendingPolicy.LEGACY);
        LoadContext ctx = context(payload, Capabilities.defaults());
        h.loadSetup(ctx);
        h.loadState(ctx, DeviceHandler.VERSION);
        device.setState(STOP);

        SyntheticDevice expected = new SyntheticDevice("dev", 2 * BLOCK, 0, 0, false, 5);
        expected.setState(RESUMING);
        expected.write(java.nio.ByteBuffer.wrap(concat(be64(BLOCK), be32(BLOCK), block)));
        expected.setState(STOP);
        assertThat(device.digest()).isEqualTo(expected.digest());
    }
}

package io.godwit.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.godwit.multifd.DeviceStatePacket;
import io.godwit.savevm.HandlerRegistry;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The destination's checks on the device buffers the channels hand in: the device must be
 * registered and take its state on the channels, the buffer's header must be VFIO's, and its index
 * new, before the configuration's, and not too far ahead.
 */
class MultifdDeviceLoadTest {
    private final HandlerRegistry registry = new HandlerRegistry();
    private final DeviceHandler handler = new DeviceHandler(new BlobDevice("dev0", 4096, 0, 0), PendingPolicy.LEGACY);
    private DeviceLoadThreads loads;
    private MultifdDeviceLoad load;

    @BeforeEach
    void setUp() {
        registry.register("dev0/vfio", 0, DeviceHandler.VERSION, HandlerRegistry.PRIORITY_DEFAULT, handler);
        loads = new DeviceLoadThreads(registry, List.of(handler));
        handler.device().setState(DeviceState.STOP);
        handler.device().setState(DeviceState.RESUMING);
        load = loads.newLoad(handler.device());
    }

    @AfterEach
    void tearDown() {
        loads.close();
    }

    private static byte[] buffer(int version, int index, int flags, int size) {
        byte[] p = new byte[12 + size];
        ByteBuffer.wrap(p).putInt(version).putInt(index).putInt(flags);
        return p;
    }

    private void deliver(String idstr, int instance, byte[] p) throws Exception {
        loads.deliver(new DeviceStatePacket(idstr, instance, p.length), p, "ch 0, packet 1");
    }

    @Test
    void refusesAnUnregisteredDeviceOrInstance() {
        assertThatThrownBy(() -> deliver("gpu9/vfio", 0, buffer(0, 0, 0, 1)))
                .hasMessage("ch 0, packet 1: device state for 'gpu9/vfio' instance 0; expected a device registered here");
        assertThatThrownBy(() -> deliver("dev0/vfio", 1, buffer(0, 0, 0, 1)))
                .hasMessage("ch 0, packet 1: device state for 'dev0/vfio' instance 1; expected a device registered here");
    }

    @Test
    void refusesADeviceThatDoesNotTakeItsStateOnTheChannels() throws Exception {
        DeviceHandler other = new DeviceHandler(new BlobDevice("dev1", 4096, 0, 0), PendingPolicy.LEGACY);
        registry.register("dev1/vfio", 0, DeviceHandler.VERSION, HandlerRegistry.PRIORITY_DEFAULT, other);
        assertThatThrownBy(() -> deliver("dev1/vfio", 0, buffer(0, 0, 0, 1))).hasMessage("ch 0, packet 1: device "
                + "state for 'dev1/vfio', which does not take its state on multifd channels here (multifd-transfer)");
    }

    @Test
    void refusesAnotherVersionOrUnknownFlagsOrAShortBuffer() {
        assertThatThrownBy(() -> load.offer(buffer(1, 0, 0, 1), "w"))
                .hasMessage("w: device dev0: state buffer version 1; expected 0");
        assertThatThrownBy(() -> load.offer(buffer(0, 0, 2, 1), "w"))
                .hasMessage("w: device dev0: state buffer flags 0x2; expected only CONFIG_STATE");
        assertThatThrownBy(() -> load.offer(new byte[11], "w"))
                .hasMessage("w: device dev0: state buffer of 11 bytes; expected at least 12");
        assertThatThrownBy(() -> load.offer(buffer(0, -1, 0, 1), "w"))
                .hasMessage("w: device dev0: state buffer index 4294967295; expected below 2^31");
    }

    @Test
    void refusesAnIndexTwiceOrPastTheConfigurationOrTooFarAhead() throws Exception {
        load.offer(buffer(0, 1, 0, 8), "w");
        assertThatThrownBy(() -> load.offer(buffer(0, 1, 0, 8), "w"))
                .hasMessage("w: device dev0: state buffer 1 received twice");
        assertThatThrownBy(() -> load.offer(buffer(0, 0, 1, 8), "w"))
                .hasMessage("w: device dev0: configuration buffer 0 before buffers with higher indexes");
        assertThatThrownBy(() -> load.offer(buffer(0, MultifdDeviceLoad.MAX_AHEAD, 0, 8), "w"))
                .hasMessageContaining("state buffer 1024 is 1024 past the next one to load (0); expected fewer than 1024");
        load.offer(buffer(0, 3, 1, 8), "w");
        assertThatThrownBy(() -> load.offer(buffer(0, 4, 0, 8), "w"))
                .hasMessage("w: device dev0: state buffer 4 after the configuration buffer 3 that ends the state");
        assertThatThrownBy(() -> load.offer(buffer(0, 2, 1, 8), "w"))
                .hasMessage("w: device dev0: a second configuration buffer 2 after the configuration buffer 3 that ends"
                        + " the state");
    }

    @Test
    void loadsBuffersInIndexOrderWhateverTheirArrival() throws Exception {
        byte[] b1 = buffer(0, 1, 0, 2048);
        byte[] b0 = buffer(0, 0, 0, 2048);
        java.util.Arrays.fill(b1, 12, b1.length, (byte) 1);
        byte[] text = handler.device().describe().getBytes();
        byte[] cfg = buffer(0, 2, 1, 8 + 4 + text.length + 8);
        ByteBuffer.wrap(cfg, 12, cfg.length - 12).putLong(io.godwit.stream.StreamConstants.DEV_CONFIG_STATE)
                .putInt(text.length).put(text).putLong(io.godwit.stream.StreamConstants.DEV_END_OF_STATE);
        load.offer(cfg, "w");
        load.offer(b1, "w");
        load.offer(b0, "w");
        load.start();
        loads.awaitAll(() -> null, () -> false);

        assertThat(load.buffersLoaded()).isEqualTo(2);
        BlobDevice expected = new BlobDevice("x", 4096, 0, 0);
        expected.setState(DeviceState.STOP);
        expected.setState(DeviceState.RESUMING);
        expected.write(ByteBuffer.wrap(b0, 12, 2048));
        expected.write(ByteBuffer.wrap(b1, 12, 2048));
        assertThat(handler.device().digest()).isEqualTo(expected.digest());
    }

    @Test
    void aMissingBufferFailsTheWaitOnceTheChannelsHaveEnded() {
        assertThatThrownBy(() -> {
            load.offer(buffer(0, 1, 0, 8), "w");
            load.start();
            loads.awaitAll(() -> null, () -> true);
        }).hasMessage("device dev0: the multifd channels ended before state buffer 0");
    }

    @Test
    void aLoadNeverStartedFailsTheWait() {
        assertThatThrownBy(() -> loads.awaitAll(() -> null, () -> false))
                .hasMessage("device dev0: the main stream ended without its stop-copy section");
    }
}

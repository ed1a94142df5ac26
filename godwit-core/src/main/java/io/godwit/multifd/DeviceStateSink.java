package io.godwit.multifd;

import java.io.IOException;

/**
 * Where the destination's channels hand the device state packets they read (QEMU's
 * qemu_loadvm_load_state_buffer): the sink finds the device by idstr and instance id, checks the
 * buffer and keeps it for the device's load thread. Called on channel threads, concurrently.
 */
@FunctionalInterface
public interface DeviceStateSink {
    /**
     * Takes one buffer ({@code data} is the sink's from now on). May block while the device has
     * too much waiting to be loaded; refuses (with a message naming {@code where}) what is not
     * acceptable.
     */
    void deliver(DeviceStatePacket header, byte[] data, String where) throws IOException, InterruptedException;
}

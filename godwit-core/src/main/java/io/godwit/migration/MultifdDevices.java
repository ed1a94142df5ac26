package io.godwit.migration;

import io.godwit.device.DeviceStateChannels;
import io.godwit.machine.Machine;
import io.godwit.multifd.MultifdSender;
import java.io.IOException;

/** Gives the source's devices the multifd channels for their stop-copy state (multifd-transfer). */
final class MultifdDevices {
    private MultifdDevices() {}

    static void attach(Machine machine, MultifdSender sender) {
        DeviceStateChannels channels = new DeviceStateChannels() {
            @Override
            public void send(String idstr, int instanceId, byte[] data, int size) throws IOException {
                sender.queueDeviceState(idstr, instanceId, data, size);
            }

            @Override
            public void awaitWritten() throws IOException {
                sender.awaitDeviceStateWritten();
            }
        };
        machine.devices().forEach(d -> d.sendChannels(channels));
    }

    static void detach(Machine machine) {
        machine.devices().forEach(d -> d.sendChannels((DeviceStateChannels) null));
    }
}

package io.godwit.device;

import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.savevm.HandlerSource;
import java.io.IOException;

/** A DeviceHandler on the source side, writing into memory, on virtual time. */
final class DeviceSource extends HandlerSource<DeviceHandler> {
    static final Capabilities ACK = Capabilities.of(Capability.RETURN_PATH, Capability.SWITCHOVER_ACK);

    DeviceSource(MigratableDevice device, PendingPolicy policy, Capabilities caps) throws IOException {
        this(new DeviceHandler(device, policy), caps);
    }

    DeviceSource(MigratableDevice device, PendingPolicy policy) throws IOException {
        this(device, policy, Capabilities.defaults());
    }

    DeviceSource(DeviceHandler handler, Capabilities caps) throws IOException {
        super(handler, caps);
    }
}

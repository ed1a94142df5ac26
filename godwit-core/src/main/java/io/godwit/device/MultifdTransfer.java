package io.godwit.device;

import io.godwit.options.Capabilities;
import io.godwit.options.Capability;

/**
 * Whether a device's stop-copy state goes over the multifd channels (QEMU 10.0's VFIO property
 * x-migration-multifd-transfer), chosen per device with {@code multifd-transfer=} and the same on
 * both sides. {@code on} needs capability multifd; {@code auto} follows it.
 */
public enum MultifdTransfer {
    OFF("off"), ON("on"), AUTO("auto");

    public final String qmpName;

    MultifdTransfer(String qmpName) {
        this.qmpName = qmpName;
    }

    public static MultifdTransfer byName(String name) {
        for (MultifdTransfer t : values()) {
            if (t.qmpName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown multifd-transfer '" + name + "': expected on, off or auto");
    }

    /** Whether it is in use for a migration with these capabilities; refuses {@code on} without multifd. */
    boolean inUse(Capabilities caps, String device) {
        boolean multifd = caps.has(Capability.MULTIFD);
        if (this == ON && !multifd) {
            throw new IllegalStateException("device " + device + ": multifd-transfer=on needs capability multifd");
        }
        return this == ON || this == AUTO && multifd;
    }
}

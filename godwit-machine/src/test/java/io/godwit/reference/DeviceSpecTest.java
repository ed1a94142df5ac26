package io.godwit.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.godwit.device.DeviceHandler;
import io.godwit.device.MultifdTransfer;
import io.godwit.machine.Machine;
import org.junit.jupiter.api.Test;

/** The --device options for device state on the multifd channels and devices without pre-copy. */
class DeviceSpecTest {
    @Test
    void multifdTransferAndPrecopyAreDeviceOptions() {
        try (Machine m = new Machine("m")) {
            DeviceSpec.add(m, "synthetic,id=gpu0,size=64K,multifd-transfer=on,precopy=off", 1);
            DeviceSpec.add(m, "kv,id=kv0,keys=10,multifd-transfer=auto", 1);
            DeviceSpec.add(m, "synthetic,id=gpu1,size=64K", 1);
            DeviceHandler gpu0 = m.devices().get(0);
            assertThat(gpu0.multifdTransfer()).isEqualTo(MultifdTransfer.ON);
            assertThat(gpu0.device().precopySupported()).isFalse();
            assertThat(m.devices().get(1).multifdTransfer()).isEqualTo(MultifdTransfer.AUTO);
            assertThat(m.devices().get(2).multifdTransfer()).isEqualTo(MultifdTransfer.OFF);
            assertThat(m.devices().get(2).device().precopySupported()).isTrue();
        }
    }

    @Test
    void refusesAnUnknownMultifdTransfer() {
        try (Machine m = new Machine("m")) {
            assertThatThrownBy(() -> DeviceSpec.add(m, "synthetic,id=gpu0,size=64K,multifd-transfer=yes", 1))
                    .hasMessage("unknown multifd-transfer 'yes': expected on, off or auto");
            assertThatThrownBy(() -> DeviceSpec.add(m, "synthetic,id=gpu0,size=64K,precopy=maybe", 1))
                    .hasMessage("--device synthetic,id=gpu0,size=64K,precopy=maybe: precopy must be on or off, not maybe");
        }
    }
}

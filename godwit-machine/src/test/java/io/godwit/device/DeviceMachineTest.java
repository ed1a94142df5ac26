package io.godwit.device;

import io.godwit.reference.device.SyntheticDevice;
import static io.godwit.device.DeviceState.PRE_COPY;
import static io.godwit.device.DeviceState.RESUMING;
import static io.godwit.device.DeviceState.RUNNING;
import static io.godwit.device.DeviceState.STOP;
import static io.godwit.device.DeviceState.STOP_COPY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.godwit.clock.VirtualClock;
import io.godwit.machine.Machine;
import io.godwit.machine.RunState;
import io.godwit.options.Capabilities;
import io.godwit.savevm.LoadContext;
import io.godwit.savevm.SaveStateEntry;
import io.godwit.stream.Bytes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A device follows its machine's run state as a VFIO device follows the VM's: RUNNING while the
 * machine runs; on a stop STOP_COPY if pre-copy was under way, else STOP, every P2P device first
 * passing through its P2P state; a device in ERROR is reset when the machine starts.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DeviceMachineTest {
    final Machine machine = new Machine("m", new VirtualClock());
    final List<String> steps = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        machine.close();
    }

    ProbeDevice add(String id, boolean p2p) {
        ProbeDevice d = new ProbeDevice(id, p2p);
        d.onStateChange((from, to) -> steps.add(id + ":" + from + "->" + to));
        machine.addDevice(d, PendingPolicy.LEGACY);
        return d;
    }

    @Test
    void addDeviceRegistersAHandlerUnderIdSlashVfio() {
        ProbeDevice d = add("nic0", false);
        SaveStateEntry e = machine.registry().find("nic0/vfio", 0);
        assertThat(e).isNotNull();
        assertThat(e.versionId()).isEqualTo(DeviceHandler.VERSION);
        assertThat(e.handler()).isInstanceOf(DeviceHandler.class);
        assertThat(((DeviceHandler) e.handler()).device()).isSameAs(d);
        assertThat(((DeviceHandler) e.handler()).policy()).isEqualTo(PendingPolicy.LEGACY);
        assertThat(machine.device("nic0")).isSameAs(d);
        assertThat(machine.devices()).hasSize(1);
        assertThatThrownBy(() -> add("nic0", true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("device 'nic0' already exists");
    }

    @Test
    void aDeviceWithActivityAddsItsWorkload() {
        machine.addDevice(new SyntheticDevice("gpu", 4096, 4096, 0, false, 1), PendingPolicy.LEGACY);
        assertThat(machine.workloads()).extracting(w -> w.name()).containsExactly("gpu-activity");
    }

    @ParameterizedTest(name = "p2p {0}")
    @ValueSource(booleans = {true, false})
    void startLeavesTheDeviceRunning(boolean p2p) {
        ProbeDevice d = add("dev", p2p);
        machine.start();
        assertThat(d.state()).isEqualTo(RUNNING);
        assertThat(steps).isEmpty();
    }

    @Test
    void pauseStopsARunningDevice() {
        ProbeDevice d = add("dev", false);
        machine.start();
        machine.stop(RunState.PAUSED);
        assertThat(d.state()).isEqualTo(STOP);
        assertThat(steps).containsExactly("dev:RUNNING->STOP");
    }

    @Test
    void pauseTakesAP2pDeviceThroughRunningP2p() {
        ProbeDevice d = add("dev", true);
        machine.start();
        machine.stop(RunState.PAUSED);
        assertThat(d.state()).isEqualTo(STOP);
        assertThat(steps).containsExactly("dev:RUNNING->RUNNING_P2P", "dev:RUNNING_P2P->STOP");
    }

    @Test
    void finishMigrateTakesAPreCopyDeviceToStopCopy() {
        ProbeDevice d = add("dev", false);
        machine.start();
        d.setState(PRE_COPY);
        steps.clear();
        machine.stop(RunState.FINISH_MIGRATE);
        assertThat(d.state()).isEqualTo(STOP_COPY);
        assertThat(steps).containsExactly("dev:PRE_COPY->STOP_COPY");
        assertThat(d.hooks).as("one data session throughout").containsExactly("startSaving");
    }

    @Test
    void finishMigrateTakesAP2pPreCopyDeviceThroughPreCopyP2p() {
        ProbeDevice d = add("dev", true);
        machine.start();
        d.setState(PRE_COPY);
        steps.clear();
        machine.stop(RunState.FINISH_MIGRATE);
        assertThat(d.state()).isEqualTo(STOP_COPY);
        assertThat(steps).containsExactly("dev:PRE_COPY->PRE_COPY_P2P", "dev:PRE_COPY_P2P->STOP_COPY");
    }

    @Test
    void finishMigrateStopsADeviceThatIsNotInPreCopy() {
        ProbeDevice d = add("dev", false);
        machine.start();
        machine.stop(RunState.FINISH_MIGRATE);
        assertThat(d.state()).isEqualTo(STOP);
    }

    @Test
    void everyP2pDeviceIsQuiescedBeforeAnyStops() {
        ProbeDevice a = add("a", true);
        ProbeDevice b = add("b", true);
        ProbeDevice c = add("c", false);
        machine.start();
        b.setState(PRE_COPY);
        steps.clear();
        machine.stop(RunState.FINISH_MIGRATE);
        assertThat(steps).containsExactly(
                "a:RUNNING->RUNNING_P2P", "b:PRE_COPY->PRE_COPY_P2P",
                "a:RUNNING_P2P->STOP", "b:PRE_COPY_P2P->STOP_COPY", "c:RUNNING->STOP");
        assertThat(List.of(a.state(), b.state(), c.state())).containsExactly(STOP, STOP_COPY, STOP);
    }

    @ParameterizedTest(name = "p2p {0}")
    @ValueSource(booleans = {true, false})
    void startAgainFromStopCopyGoesThroughStop(boolean p2p) {
        ProbeDevice d = add("dev", p2p);
        machine.start();
        d.setState(PRE_COPY);
        machine.stop(RunState.FINISH_MIGRATE);
        steps.clear();
        machine.start(); // the migration failed after the stop
        assertThat(d.state()).isEqualTo(RUNNING);
        if (p2p) {
            assertThat(steps).containsExactly("dev:STOP_COPY->STOP", "dev:STOP->RUNNING_P2P", "dev:RUNNING_P2P->RUNNING");
        } else {
            assertThat(steps).containsExactly("dev:STOP_COPY->STOP", "dev:STOP->RUNNING");
        }
        assertThat(d.hooks).containsExactly("startSaving", "endSaving");
    }

    @Test
    void aDeviceInErrorIsResetWhenTheMachineStarts() {
        ProbeDevice d = add("dev", false);
        d.broken();
        assertThat(d.state()).isEqualTo(DeviceState.ERROR);
        steps.clear();
        machine.start();
        assertThat(d.state()).isEqualTo(RUNNING);
        assertThat(steps).containsExactly("dev:ERROR->RUNNING");
        assertThat(d.hooks).containsExactly("discardSessions");
    }

    @Test
    void anIncomingDeviceFinishesResumingWhenTheMachineStarts() throws Exception {
        ProbeDevice d = add("dev", false);
        machine.expectIncoming();
        assertThat(d.state()).isEqualTo(RUNNING);
        DeviceHandler h = machine.devices().getFirst();
        h.loadSetup(new LoadContext(Bytes.input(new byte[0]), Capabilities.defaults(), () -> {}));
        assertThat(d.state()).isEqualTo(RESUMING);
        steps.clear();
        machine.start();
        assertThat(steps).containsExactly("dev:RESUMING->STOP", "dev:STOP->RUNNING");
        assertThat(d.hooks).endsWith("endResuming");
    }
}

package io.godwit.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.machine.RunState;
import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationStatus;
import io.godwit.monitor.Monitor;
import io.godwit.monitor.MonitorEvents;
import io.godwit.options.Capability;
import io.godwit.ram.RamBlock;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two machines in one JVM over loopback TCP with capability multifd, whose devices have
 * multifd-transfer on: their stop-copy state goes as device state packets on the channels and
 * each is loaded on the destination by a load thread of its own.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DeviceStateOnChannelsTest {
    static final int DEVICES = 4;
    static final int SIZE = 6 << 20; // a dozen buffers each, so they spread over the channels
    static final int PRECOPY = 1 << 20;

    /** Source (seeded) or destination (blank) with RAM and {@link #DEVICES} blob devices. */
    static Machine machine(String name, boolean source, BlobDevice.Overlap overlap, int failing) {
        return machine(name, source, overlap, failing, DEVICES, SIZE);
    }

    static Machine machine(String name, boolean source, BlobDevice.Overlap overlap, int failing, int devices, int size) {
        Machine m = new Machine(name);
        RamBlock ram = m.addRam("pc.ram", 4 << 20);
        if (source) {
            ram.putLong(4096, 42);
        }
        for (int i = 0; i < devices; i++) {
            BlobDevice d = new BlobDevice("dev" + i, size, PRECOPY, source ? 100 + i : 0);
            if (overlap != null) {
                d.overlap(overlap);
            }
            if (i == failing) {
                d.failAt(3L << 20);
            }
            m.addDevice(d, PendingPolicy.LEGACY).multifdTransfer(MultifdTransfer.ON);
        }
        if (source) {
            m.start();
        }
        return m;
    }

    static void configure(Monitor m, long channels) {
        configure(m, channels, true);
    }

    static void configure(Monitor m, long channels, boolean returnPath) {
        m.setCapabilities(Map.of(Capability.MULTIFD, true, Capability.RETURN_PATH, returnPath));
        m.setParameters(Map.of("max-bandwidth", 0L, "downtime-limit", 2000L), Map.of(),
                Map.of("multifd-channels", channels));
    }

    static <T> T until(Supplier<T> value, Predicate<T> done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        T v;
        while (!done.test(v = value.get())) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + " within 60 s; last seen: " + v);
            }
            Thread.sleep(5);
        }
        return v;
    }

    static MigrationInfo end(Monitor m) throws InterruptedException {
        return until(m::queryMigrate, i -> i.status().isTerminal(), "a final status");
    }

    @ParameterizedTest(name = "{0} channels")
    @ValueSource(longs = {2, 4})
    void devicesLoadInParallelFromTheChannelsAndEqualTheSource(long channels) throws Exception {
        BlobDevice.Overlap overlap = new BlobDevice.Overlap(DEVICES);
        try (Machine src = machine("src", true, null, -1); Machine dst = machine("dst", false, overlap, -1);
                Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE);
                Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE)) {
            configure(out, channels);
            configure(in, channels);
            out.migrate(in.migrateIncoming("tcp:127.0.0.1:0"));

            MigrationInfo info = end(out);
            MigrationInfo dest = end(in);

            assertThat(info.status()).as("%s", info.errorDesc()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(dest.status()).as("%s", dest.errorDesc()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(dst.state()).isEqualTo(RunState.RUNNING); // endResuming refuses a device not fully loaded
            dst.stop(RunState.PAUSED);
            MachineDigest.Digest a = MachineDigest.of(src);
            MachineDigest.Digest b = MachineDigest.of(dst);
            assertThat(b.devices()).hasSize(DEVICES).isEqualTo(a.devices());
            assertThat(b.overall()).isEqualTo(a.overall());
            // every device's load thread was inside a write while the others were: they overlapped
            assertThat(overlap.inside.getCount()).isZero();
            assertThat(overlap.threads).containsExactlyInAnyOrder("godwit-device-load-dev0",
                    "godwit-device-load-dev1", "godwit-device-load-dev2", "godwit-device-load-dev3");
            assertThat(src.devices()).allSatisfy(d -> assertThat(d.transferred()).isEqualTo(SIZE));
        }
    }

    @Test
    void devicesWithMoreStateThanTheDestinationBuffersHoldBackTheSourceAndArriveWhole() throws Exception {
        int size = (int) MultifdDeviceLoad.SOFT_LIMIT + (8 << 20); // the channels wait for the load threads
        try (Machine src = machine("src", true, null, -1, 2, size); Machine dst = machine("dst", false, null, -1, 2, size);
                Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE);
                Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE)) {
            configure(out, 2);
            configure(in, 2);
            out.migrate(in.migrateIncoming("tcp:127.0.0.1:0"));

            MigrationInfo info = end(out);
            MigrationInfo dest = end(in);

            assertThat(info.status()).as("%s", info.errorDesc()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(dest.status()).as("%s", dest.errorDesc()).isEqualTo(MigrationStatus.COMPLETED);
            dst.stop(RunState.PAUSED);
            assertThat(MachineDigest.of(dst).devices()).hasSize(2).isEqualTo(MachineDigest.of(src).devices());
        }
    }

    @Test
    void withoutAReturnPathTheSourceEndsOnlyOnceAllDeviceStateIsWritten() throws Exception {
        // the source's end closes the channels: device buffers still queued then would be lost
        try (Machine src = machine("src", true, null, -1); Machine dst = machine("dst", false, null, -1);
                Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE);
                Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE)) {
            configure(out, 2, false);
            configure(in, 2, false);
            out.migrate(in.migrateIncoming("tcp:127.0.0.1:0"));

            MigrationInfo info = end(out);
            MigrationInfo dest = end(in);

            assertThat(info.status()).as("%s", info.errorDesc()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(dest.status()).as("%s", dest.errorDesc()).isEqualTo(MigrationStatus.COMPLETED);
            dst.stop(RunState.PAUSED);
            assertThat(MachineDigest.of(dst).devices()).isEqualTo(MachineDigest.of(src).devices());
        }
    }

    @Test
    void aFailingDeviceLoadFailsTheMigrationWithItsMessageAndTheSourceRunsOn() throws Exception {
        try (Machine src = machine("src", true, null, -1); Machine dst = machine("dst", false, null, 2);
                Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE);
                Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE)) {
            configure(out, 2);
            configure(in, 2);
            out.migrate(in.migrateIncoming("tcp:127.0.0.1:0"));

            MigrationInfo dest = end(in);
            MigrationInfo info = end(out);

            assertThat(dest.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(dest.errorDesc()).contains("device dev2").contains("refused its state at byte 3145728 on purpose");
            assertThat(info.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(src.state()).as("a failed migration leaves the source running").isEqualTo(RunState.RUNNING);
            assertThat(dst.state()).isNotEqualTo(RunState.RUNNING);
        }
    }

    @Test
    void aCorruptDeviceStatePacketIsRefusedNamingTheChannel() throws Exception {
        try (Machine src = machine("src", true, null, -1); Machine dst = machine("dst", false, null, -1);
                Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE);
                Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE)) {
            configure(out, 2);
            configure(in, 2);
            try (PacketCorrupter proxy = new PacketCorrupter(in.migrateIncoming("tcp:127.0.0.1:0"))) {
                out.migrate(proxy.uri());

                MigrationInfo dest = end(in);
                MigrationInfo info = end(out);

                assertThat(proxy.corrupted()).isTrue();
                assertThat(dest.status()).isEqualTo(MigrationStatus.FAILED);
                assertThat(dest.errorDesc()).matches(".*multifd channel \\d, packet \\d+: device state packet with a "
                        + "device idstr without its NUL.*");
                assertThat(info.status()).isEqualTo(MigrationStatus.FAILED);
                assertThat(src.state()).isEqualTo(RunState.RUNNING);
                assertThat(dst.state()).isNotEqualTo(RunState.RUNNING);
            }
        }
    }

    @Test
    void multifdTransferOnWithoutMultifdIsRefusedAtSetup() throws Exception {
        try (Machine src = machine("src", true, null, -1); Machine dst = machine("dst", false, null, -1);
                Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE);
                Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE)) {
            out.migrate(in.migrateIncoming("tcp:127.0.0.1:0"));
            MigrationInfo info = end(out);
            assertThat(info.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(info.errorDesc()).contains("device dev0: multifd-transfer=on needs capability multifd");
            assertThat(src.state()).isEqualTo(RunState.RUNNING);
        }
    }
}

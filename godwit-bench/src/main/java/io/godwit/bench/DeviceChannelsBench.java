package io.godwit.bench;

import io.godwit.clock.Clock;
import io.godwit.device.MultifdTransfer;
import io.godwit.device.PendingPolicy;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.machine.RunState;
import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationStatus;
import io.godwit.monitor.Monitor;
import io.godwit.monitor.MonitorEvents;
import io.godwit.options.Capability;
import io.godwit.ram.RamBlock;
import io.godwit.reference.device.SyntheticDevice;
import io.godwit.reference.workload.MemoryFill;
import io.godwit.reference.workload.RandomWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The device rows of {@code godwit bench devices} that compare where stop-copy device state goes:
 * on the main channel (loaded by the incoming thread, one device after the other) or on the
 * multifd channels (loaded by a thread per device, in parallel). Two machines in one JVM over
 * loopback TCP with capability multifd; the devices have no pre-copy, so all their state is in
 * the downtime, and the downtime limit is set high enough to let the switch happen with it
 * pending. The two setups alternate, {@code repeat} times.
 */
public final class DeviceChannelsBench {
    /**
     * @param devices how many synthetic devices
     * @param channels multifd-channels (RAM uses them in both setups)
     * @param downtimeLimitMs the limit for these rows: above the devices' transfer time
     * @param repeat how many times each setup runs, alternating
     */
    public record Config(DeviceBench.Config base, int devices, int channels, long downtimeLimitMs, int repeat) {}

    private final Config config;
    private final Consumer<String> log;

    public DeviceChannelsBench(Config config, Consumer<String> log) {
        this.config = config;
        this.log = log;
    }

    public List<DeviceBench.Row> run() throws Exception {
        List<DeviceBench.Row> rows = new ArrayList<>();
        for (int i = 0; i < config.repeat(); i++) {
            for (boolean onChannels : new boolean[] {false, true}) {
                DeviceBench.Row r = once(onChannels);
                log.accept(String.format("%d devices, state on %s: downtime %d ms, total %d ms", config.devices(),
                        onChannels ? config.channels() + " channels" : "the main channel", r.downtimeMs(),
                        r.totalTimeMs()));
                rows.add(r);
            }
        }
        return rows;
    }

    private DeviceBench.Row once(boolean onChannels) throws Exception {
        try (Machine src = machine("source", 42, onChannels); Machine dst = machine("destination", 0, onChannels);
                Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE);
                Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE)) {
            src.addWorkload(new RandomWriter(config.base().ramDirtyRate(), 7));
            src.start();
            for (Monitor m : List.of(out, in)) {
                m.setCapabilities(Map.of(Capability.MULTIFD, true, Capability.RETURN_PATH, true));
                m.setParameters(Map.of("max-bandwidth", 0L, "downtime-limit", config.downtimeLimitMs()), Map.of(),
                        Map.of("multifd-channels", (long) config.channels()));
            }
            out.migrate(in.migrateIncoming("tcp:127.0.0.1:0"));
            MigrationInfo s = end(out);
            MigrationInfo d = end(in);
            if (s.status() != MigrationStatus.COMPLETED || d.status() != MigrationStatus.COMPLETED) {
                throw new IllegalStateException("migration " + s.status().qmpName + ": " + s.errorDesc() + " / "
                        + d.errorDesc());
            }
            dst.stop(RunState.PAUSED);
            boolean verified = MachineDigest.of(src).equals(MachineDigest.of(dst));
            long deviceBytes = s.devices().stream().mapToLong(MigrationInfo.Device::transferred).sum();
            return new DeviceBench.Row(PendingPolicy.LEGACY.qmpName, s.downtimeMs(), s.totalTimeMs(),
                    s.ram().dirtySyncCount(), deviceBytes, verified, onChannels ? config.channels() : 0,
                    config.devices());
        }
    }

    private static MigrationInfo end(Monitor m) throws InterruptedException {
        MigrationInfo i;
        while (!(i = m.queryMigrate()).status().isTerminal()) {
            Thread.sleep(10);
        }
        return i;
    }

    private Machine machine(String name, long seed, boolean onChannels) {
        DeviceBench.Config c = config.base();
        Machine m = new Machine(name);
        RamBlock ram = m.addRam("pc.ram", c.ram(), true);
        if (seed != 0) {
            MemoryFill.random(ram, seed);
        }
        for (int i = 0; i < config.devices(); i++) {
            SyntheticDevice d = new SyntheticDevice("gpu" + i, c.deviceBytes(), c.deviceDirtyRate(), c.deviceLoadRate(),
                    false, seed == 0 ? 0 : seed + i).precopy(false);
            m.addDevice(d, PendingPolicy.LEGACY).multifdTransfer(onChannels ? MultifdTransfer.ON : MultifdTransfer.OFF);
        }
        return m;
    }
}

package io.godwit.bench;

import io.godwit.device.PendingPolicy;
import io.godwit.reference.device.SyntheticDevice;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.reference.workload.MemoryFill;
import io.godwit.reference.workload.RandomWriter;
import io.godwit.migration.LocalMigration;
import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationListener;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.Parameters;
import io.godwit.ram.RamBlock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code godwit bench devices}: the same machine migrated once per pending policy. The machine has
 * RAM under a random writer and a synthetic device with large initial state that the destination
 * loads slowly; the figure that matters is the measured downtime, from the source's stop until
 * the destination runs, against the downtime limit.
 */
public final class DeviceBench {
    /** The scenario; sizes in bytes, rates in bytes per second. */
    public record Config(long ram, long ramDirtyRate, long deviceBytes, long deviceDirtyRate, long deviceLoadRate,
            long downtimeLimitMs) {
        public static Config standard() {
            return new Config(512L << 20, 128L << 20, 256L << 20, 16L << 20, 200L << 20, 300);
        }
    }

    /**
     * One migration's outcome. {@code channels}: multifd channels the devices' stop-copy state
     * went on (0: the main channel); {@code devices}: how many devices.
     */
    public record Row(String policy, long downtimeMs, long totalTimeMs, long passes, long deviceBytes,
            boolean verified, int channels, int devices) {}

    private final Config config;
    private final Consumer<String> log;

    public DeviceBench(Config config, Consumer<String> log) {
        this.config = config;
        this.log = log;
    }

    public List<Row> run() throws InterruptedException {
        List<Row> rows = new ArrayList<>();
        for (PendingPolicy p : PendingPolicy.values()) {
            Row r = once(p);
            log.accept(String.format("%s: downtime %d ms, total %d ms", p.qmpName, r.downtimeMs(), r.totalTimeMs()));
            rows.add(r);
        }
        return rows;
    }

    private Row once(PendingPolicy policy) throws InterruptedException {
        Capabilities caps = policy == PendingPolicy.SWITCHOVER_ACK
                ? Capabilities.of(Capability.RETURN_PATH, Capability.SWITCHOVER_ACK)
                : Capabilities.of(Capability.RETURN_PATH);
        try (Machine src = machine("source", policy, 42, true); Machine dst = machine("destination", policy, 0, false)) {
            src.addWorkload(new RandomWriter(config.ramDirtyRate(), 7));
            src.start();
            Parameters p = Parameters.defaults().withMaxBandwidth(0).withDowntimeLimitMs(config.downtimeLimitMs());
            LocalMigration m = new LocalMigration(src, dst, p, caps, MigrationListener.NONE);
            LocalMigration.Result r = m.start().await(Duration.ofMinutes(5));
            MigrationInfo s = r.source();
            if (!r.completed()) {
                throw new IllegalStateException(policy.qmpName + ": migration " + s.status().qmpName + ": "
                        + s.errorDesc() + " / " + r.destinationError());
            }
            dst.stop(io.godwit.machine.RunState.PAUSED);
            boolean verified = MachineDigest.of(src).equals(MachineDigest.of(dst));
            return new Row(policy.qmpName, s.downtimeMs(), s.totalTimeMs(), s.ram().dirtySyncCount(),
                    s.devices().isEmpty() ? 0 : s.devices().get(0).transferred(), verified, 0, 1);
        }
    }

    private Machine machine(String name, PendingPolicy policy, long seed, boolean prealloc) {
        Machine m = new Machine(name);
        RamBlock ram = m.addRam("pc.ram", config.ram(), true);
        if (seed != 0) {
            MemoryFill.random(ram, seed); // memory in use: the bulk pass takes real time
        }
        m.addDevice(new SyntheticDevice("gpu0", config.deviceBytes(), config.deviceDirtyRate(), config.deviceLoadRate(),
                false, seed), policy);
        return m;
    }
}

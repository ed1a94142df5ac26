package io.godwit.cli;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationStatus;
import io.godwit.monitor.Monitor;
import io.godwit.monitor.MonitorEvents;
import io.godwit.options.Capability;
import io.godwit.reference.workload.MemoryFill;
import java.io.IOException;
import java.util.Map;

/**
 * The multifd paths' share of {@link WarmUp}: scratch migrations with two channels over loopback
 * TCP inside this process, so that a measured multifd migration (the channels' gathering writes
 * and scattering reads, the batches) does not run in the interpreter or pay for its compilation.
 */
final class MultifdWarmUp {
    private static final long SIZE = 64L << 20;
    private static final int MIN_ROUNDS = 6;
    private static final int MAX_ROUNDS = 40;
    private static final long DEADLINE_NS = 60_000_000_000L;

    private MultifdWarmUp() {}

    /** Returns the rounds it ran. */
    static int run() throws IOException, InterruptedException {
        try (Machine a = new Machine("warm-up-multifd-source");
                Monitor source = new Monitor(a, Clock.system(), MonitorEvents.NONE)) {
            MemoryFill.random(a.addRam("pc.ram", SIZE, true), 11);
            multifd(source);
            JitSettling jit = new JitSettling(MIN_ROUNDS, MAX_ROUNDS);
            for (int i = 0; ; i++) { // an incoming migration needs a machine that never ran
                try (Machine b = new Machine("warm-up-multifd-" + i);
                        Monitor destination = new Monitor(b, Clock.system(), MonitorEvents.NONE)) {
                    b.addRam("pc.ram", SIZE, true);
                    multifd(destination);
                    source.migrate(destination.migrateIncoming("tcp:127.0.0.1:0"));
                    MigrationInfo end = awaitEnd(source);
                    if (end.status() != MigrationStatus.COMPLETED) {
                        throw new IOException("multifd warm-up migration " + end.status() + ": " + end.errorDesc());
                    }
                    awaitEnd(destination);
                }
                if (!jit.another()) {
                    return jit.rounds();
                }
            }
        }
    }

    private static void multifd(Monitor m) {
        m.setCapabilities(Map.of(Capability.MULTIFD, true));
        m.setParameters(Map.of("max-bandwidth", 0L), Map.of(), Map.of("multifd-channels", 2L));
    }

    private static MigrationInfo awaitEnd(Monitor m) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NS;
        MigrationInfo i;
        while (!(i = m.queryMigrate()).status().isTerminal() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return i;
    }
}

package io.godwit.cli;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.machine.RunState;
import io.godwit.migration.MigrationInfo;
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
    private static final int ROUNDS = 6;
    private static final long DEADLINE_NS = 60_000_000_000L;

    private MultifdWarmUp() {}

    static void run() throws IOException, InterruptedException {
        try (Machine a = new Machine("warm-up-multifd-a"); Machine b = new Machine("warm-up-multifd-b");
                Monitor ma = new Monitor(a, Clock.system(), MonitorEvents.NONE);
                Monitor mb = new Monitor(b, Clock.system(), MonitorEvents.NONE)) {
            MemoryFill.random(a.addRam("pc.ram", SIZE, true), 11);
            b.addRam("pc.ram", SIZE, true);
            for (Monitor m : new Monitor[] {ma, mb}) {
                m.setCapabilities(Map.of(Capability.MULTIFD, true));
                m.setParameters(Map.of("multifd-channels", 2L, "max-bandwidth", 0L));
            }
            for (int i = 0; i < ROUNDS; i++) {
                Machine to = i % 2 == 0 ? b : a;
                if (to.state() != RunState.PRELAUNCH && to.state() != RunState.INMIGRATE) {
                    to.stop(RunState.PAUSED);
                }
                Monitor from = i % 2 == 0 ? ma : mb;
                from.migrate((i % 2 == 0 ? mb : ma).migrateIncoming("tcp:127.0.0.1:0"));
                MigrationInfo end = awaitEnd(from);
                if (!end.status().isTerminal() || end.errorDesc() != null) {
                    throw new IOException("multifd warm-up migration " + end.status() + ": " + end.errorDesc());
                }
            }
        }
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

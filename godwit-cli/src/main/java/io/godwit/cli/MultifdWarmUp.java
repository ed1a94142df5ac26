package io.godwit.cli;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationStatus;
import io.godwit.monitor.Monitor;
import io.godwit.monitor.MonitorEvents;
import io.godwit.options.Capability;
import io.godwit.ram.RamBlock;
import java.io.IOException;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The multifd paths' share of {@link WarmUp}: scratch migrations with two channels over loopback
 * TCP inside this process, so that a measured multifd migration (the channels' gathering writes
 * and scattering reads, the batches) does not run in the interpreter or pay for its compilation.
 * Much of it is per packet, and the JIT's top tier takes a method only after some thousands of
 * calls: so the scratch RAM is mostly zero pages, which a packet lists without data, and each
 * round moves many packets for few bytes; its first part is all data, for packets of adjacent pages.
 */
final class MultifdWarmUp {
    private static final long SIZE = 256L << 20;
    /** The first part of the scratch RAM: every page random. */
    private static final long DENSE = 32L << 20;
    /** Past that, one page in this many is random, the others zero. */
    private static final int SPARSE = 8;
    /** 512 packets a round: the minimum is over 6000 packets, past the top tier's thresholds. */
    private static final int MIN_ROUNDS = 12;
    private static final int MAX_ROUNDS = 24;
    private static final int PAGE = 4096;
    private static final long DEADLINE_NS = 60_000_000_000L;

    private MultifdWarmUp() {}

    /** Returns the rounds it ran. */
    static int run() throws IOException, InterruptedException {
        try (Machine a = new Machine("warm-up-multifd-source");
                Monitor source = new Monitor(a, Clock.system(), MonitorEvents.NONE)) {
            fill(a.addRam("pc.ram", SIZE, true));
            multifd(source);
            JitSettling jit = new JitSettling(MIN_ROUNDS, MAX_ROUNDS);
            for (int i = 0; ; i++) { // an incoming migration needs a machine that never ran
                try (Machine b = new Machine("warm-up-multifd-" + i);
                        Monitor destination = new Monitor(b, Clock.system(), MonitorEvents.NONE)) {
                    b.addRam("pc.ram", SIZE, false); // only the pages with data are touched
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

    private static void fill(RamBlock ram) {
        SplittableRandom r = new SplittableRandom(11);
        byte[] page = new byte[PAGE];
        for (long off = 0; off < SIZE; off += PAGE) {
            if (off < DENSE || (off / PAGE) % SPARSE == 0) {
                r.nextBytes(page);
                ram.write(off, page, 0, PAGE);
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

package io.godwit.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.machine.AbCheck;
import io.godwit.reference.workload.AbWorkload;
import io.godwit.reference.workload.HotSetWriter;
import io.godwit.reference.workload.RandomWriter;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.machine.RunState;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.Parameters;
import io.godwit.stats.Counter;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Whole migrations between two machines in this JVM, with a workload rewriting memory throughout. */
class LocalMigrationTest {
    private static final long MIB = 1 << 20;
    private static final Capabilities RP = Capabilities.of(Capability.RETURN_PATH);

    @Test
    void migratesRunningAbMachineAndDestinationMatchesPausedSource() throws Exception {
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst")) {
            src.addRam("pc.ram", 192 * MIB);
            src.addRam("vga.vram", 64 * MIB);
            dst.addRam("pc.ram", 192 * MIB);
            dst.addRam("vga.vram", 64 * MIB);
            AbWorkload ab = startAb(src);

            LocalMigration.Result r = LocalMigration.run(src, dst, Parameters.defaults().withMaxBandwidth(0), RP,
                    Duration.ofMinutes(2));

            assertThat(r.source().status()).as("%s", r).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(r.destination().status()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(src.state()).isEqualTo(RunState.POSTMIGRATE);
            assertThat(dst.state()).isEqualTo(RunState.RUNNING);
            AbCheck.Result check = AbCheck.check(dst);
            assertThat(check.passed()).as("a-b check: %s", check).isTrue();
            assertThat(check.pages()).isEqualTo(256 * MIB / 4096);
            assertThat(ab.sweeps()).as("the writer ran during the migration").isGreaterThanOrEqualTo(2);
            assertThat(MachineDigest.of(dst)).isEqualTo(MachineDigest.of(src));
            assertThat(r.source().ram().dirtySyncCount()).isGreaterThanOrEqualTo(2);
            assertThat(r.source().ram().transferred()).isGreaterThan(256 * MIB);
            assertThat(r.source().downtimeMs()).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void pagesDirtiedUntilTheStopReachTheDestination() throws Exception {
        // random writes leave most pages clean between syncs, so a page written after the last
        // sync and before the stop is only caught by the final sync at stop-copy
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst")) {
            src.addRam("pc.ram", 64 * MIB);
            dst.addRam("pc.ram", 64 * MIB);
            src.addWorkload(new RandomWriter(1024 * MIB, 7));
            src.addWorkload(new HotSetWriter(256 * MIB, 11));
            src.start();
            waitFor(() -> MachineDigest.of(src) != null, "the writers to start");

            LocalMigration.Result r = LocalMigration.run(src, dst, Parameters.defaults().withMaxBandwidth(0), RP,
                    Duration.ofMinutes(2));

            assertThat(r.completed()).as("%s", r).isTrue();
            assertThat(MachineDigest.of(dst)).isEqualTo(MachineDigest.of(src));
        }
    }

    @Test
    void keepsIteratingWhileLimitsAreTooTightThenCompletesWhenRaised() throws Exception {
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst")) {
            src.addRam("pc.ram", MIB);
            dst.addRam("pc.ram", MIB);
            startAb(src);
            // A pass takes 0.5 s, so even a writer starved by a busy machine dirties more than
            // the threshold (under one page) before each sync.
            Parameters tight = Parameters.defaults().withMaxBandwidth(2 * MIB).withDowntimeLimitMs(1);
            LocalMigration m = new LocalMigration(src, dst, tight, RP, MigrationListener.NONE).start();
            Migration source = m.source();

            waitFor(() -> source.counters().get(Counter.DIRTY_SYNC_COUNT) >= 4, "four passes");
            assertThat(source.status()).isEqualTo(MigrationStatus.ACTIVE);
            assertThat(src.state()).isEqualTo(RunState.RUNNING);
            assertThat(m.destination().status()).isEqualTo(MigrationStatus.ACTIVE);

            source.setParameters(Parameters.defaults().withMaxBandwidth(0).withDowntimeLimitMs(2000));
            LocalMigration.Result r = m.await(Duration.ofMinutes(1));

            assertThat(r.completed()).as("%s", r).isTrue();
            assertThat(AbCheck.check(dst).passed()).isTrue();
            assertThat(MachineDigest.of(dst)).isEqualTo(MachineDigest.of(src));
        }
    }

    @Test
    void cancelledMigrationLeavesSourceRunningAndDestinationStopped() throws Exception {
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst")) {
            src.addRam("pc.ram", 16 * MIB);
            dst.addRam("pc.ram", 16 * MIB);
            AbWorkload ab = startAb(src);
            Parameters slow = Parameters.defaults().withMaxBandwidth(8 * MIB).withDowntimeLimitMs(1);
            LocalMigration m = new LocalMigration(src, dst, slow, RP, MigrationListener.NONE).start();
            waitFor(() -> m.source().counters().get(Counter.NORMAL_PAGES) > 100, "pages on the wire");

            assertThat(m.source().cancel()).isTrue();
            LocalMigration.Result r = m.await(Duration.ofMinutes(1));

            assertThat(r.source().status()).isEqualTo(MigrationStatus.CANCELLED);
            assertThat(r.destination().status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(dst.state()).isNotEqualTo(RunState.RUNNING);
            assertThat(src.state()).isEqualTo(RunState.RUNNING);
            long sweeps = ab.sweeps();
            waitFor(() -> ab.sweeps() > sweeps + 1, "the writer to keep running");
            src.stop(RunState.PAUSED);
            assertThat(AbCheck.check(src).passed()).isTrue();
        }
    }

    @Test
    void destinationWithDifferentRamFailsAndSourceCarriesOn() throws Exception {
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst")) {
            src.addRam("pc.ram", 16 * MIB);
            dst.addRam("pc.ram", 32 * MIB);
            startAb(src);

            LocalMigration.Result r = LocalMigration.run(src, dst, Parameters.defaults().withMaxBandwidth(0), RP,
                    Duration.ofMinutes(1));

            assertThat(r.destination().status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(r.destinationError()).contains("pc.ram").contains("16777216").contains("33554432");
            assertThat(r.source().status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(src.state()).isEqualTo(RunState.RUNNING);
            assertThat(dst.state()).isNotEqualTo(RunState.RUNNING);
        }
    }

    private static AbWorkload startAb(Machine m) {
        AbWorkload ab = new AbWorkload();
        m.addWorkload(ab);
        m.start();
        waitFor(() -> ab.sweeps() >= 1, "the a-b writer's first sweep");
        return ab;
    }

    /** Polls a condition; the deadline only guards against a hang, it asserts nothing about speed. */
    static void waitFor(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}

package io.godwit.migration;

import static io.godwit.migration.LocalMigrationTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.clock.Clock;
import io.godwit.machine.AbCheck;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.machine.RunState;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.Parameters;
import io.godwit.reference.workload.AbWorkload;
import io.godwit.reference.workload.RandomReader;
import io.godwit.stats.Counter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A whole post-copy migration in this JVM: the a-b writer at full speed dirties memory faster than
 * max-bandwidth carries it, so pre-copy goes round without end; after migrate-start-postcopy the
 * destination runs at once, a reader on it waits for pages that have not arrived, and the copy ends
 * equal to the paused source.
 */
class PostcopyLocalMigrationTest {
    private static final long MIB = 1 << 20;

    @Test
    void aMachineThatDoesNotConvergeCompletesInPostcopy() throws Exception {
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst")) {
            src.addRam("pc.ram", 24 * MIB);
            src.addRam("vga.vram", 8 * MIB);
            dst.addRam("pc.ram", 24 * MIB);
            dst.addRam("vga.vram", 8 * MIB);
            AbWorkload ab = new AbWorkload();
            src.addWorkload(ab);
            src.start();
            waitFor(() -> ab.sweeps() >= 1, "the a-b writer's first sweep");
            RandomReader reader = new RandomReader(512 * MIB, 3);
            dst.addWorkload(reader);
            StatusRecorder recorder = new StatusRecorder(Clock.system());
            Parameters slow = Parameters.defaults().withMaxBandwidth(64 * MIB).withDowntimeLimitMs(50);
            LocalMigration m = new LocalMigration(src, dst, slow, Capabilities.of(Capability.POSTCOPY_RAM), recorder)
                    .start();

            waitFor(() -> m.source().counters().get(Counter.DIRTY_SYNC_COUNT) >= 4, "four passes");
            assertThat(m.source().status()).as("pre-copy does not converge").isEqualTo(MigrationStatus.ACTIVE);
            assertThat(dst.state()).isEqualTo(RunState.INMIGRATE);
            m.source().startPostcopy();
            LocalMigration.Result r = m.await(Duration.ofMinutes(2));

            assertThat(r.completed()).as("%s", r).isTrue();
            assertThat(recorder.path()).containsSubsequence(MigrationStatus.ACTIVE, MigrationStatus.DEVICE,
                    MigrationStatus.POSTCOPY_DEVICE, MigrationStatus.POSTCOPY_ACTIVE, MigrationStatus.COMPLETED);
            assertThat(src.state()).isEqualTo(RunState.POSTMIGRATE);
            assertThat(dst.state()).isEqualTo(RunState.RUNNING);
            AbCheck.Result check = AbCheck.check(dst);
            assertThat(check.passed()).as("a-b check: %s", check).isTrue();
            assertThat(MachineDigest.of(dst)).isEqualTo(MachineDigest.of(src));
            assertThat(reader.reads()).as("the destination ran during post-copy").isPositive();
            assertThat(r.source().ram().postcopyRequests()).as("pages the reader asked for").isPositive();
            assertThat(r.destination().postcopy().faultLatency().count()).isPositive();
            assertThat(r.source().ram().postcopyBytes()).isPositive();
            assertThat(r.source().postcopy().timeMs()).isGreaterThanOrEqualTo(r.source().downtimeMs());
            for (var b : dst.ram()) {
                assertThat(b.incoming()).isNull();
            }
        }
    }

    @Test
    void withPostcopyRamButNoSwitchTheMigrationCompletesInPrecopy() throws Exception {
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst")) {
            src.addRam("pc.ram", 16 * MIB);
            dst.addRam("pc.ram", 16 * MIB);
            AbWorkload ab = new AbWorkload(64 * MIB);
            src.addWorkload(ab);
            src.start();
            waitFor(() -> ab.sweeps() >= 1, "the a-b writer's first sweep");
            StatusRecorder recorder = new StatusRecorder(Clock.system());
            LocalMigration.Result r = new LocalMigration(src, dst, Parameters.defaults().withMaxBandwidth(0),
                    Capabilities.of(Capability.POSTCOPY_RAM), recorder).start().await(Duration.ofMinutes(2));

            assertThat(r.completed()).as("%s", r).isTrue();
            assertThat(recorder.path()).doesNotContain(MigrationStatus.POSTCOPY_DEVICE, MigrationStatus.POSTCOPY_ACTIVE);
            assertThat(r.source().ram().postcopyBytes()).isZero();
            assertThat(dst.ram().getFirst().incoming()).as("the tracking ADVISE started has ended").isNull();
            assertThat(MachineDigest.of(dst)).isEqualTo(MachineDigest.of(src));
        }
    }
}

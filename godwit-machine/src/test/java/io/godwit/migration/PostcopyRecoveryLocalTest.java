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
import io.godwit.ram.IncomingPages;
import io.godwit.ram.RamBlock;
import io.godwit.reference.workload.AbWorkload;
import io.godwit.reference.workload.RandomReader;
import io.godwit.stats.Counter;
import io.godwit.transport.MemoryChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Post-copy recovery in this JVM: migrate-pause breaks the link in post-copy, both sides pause
 * while the destination runs on; a new connection resumes it, the source asks what arrived
 * (RECV_BITMAP) and sends exactly the pages that did not, and the copy ends equal.
 */
class PostcopyRecoveryLocalTest {
    private static final long MIB = 1 << 20;

    @Test
    void aPausedPostcopyResumesAndSendsOnlyWhatDidNotArrive() throws Exception {
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst")) {
            src.addRam("pc.ram", 64 * MIB);
            dst.addRam("pc.ram", 64 * MIB);
            AbWorkload ab = new AbWorkload();
            src.addWorkload(ab);
            src.start();
            waitFor(() -> ab.sweeps() >= 1, "the a-b writer's first sweep");
            dst.addWorkload(new RandomReader(4 * MIB, 5)); // about 1000 pages a second: far from all of them
            Capabilities caps = Capabilities.of(Capability.POSTCOPY_RAM);
            StatusRecorder srcStatus = new StatusRecorder(Clock.system());
            StatusRecorder dstStatus = new StatusRecorder(Clock.system());
            MemoryChannel first = new MemoryChannel();
            IncomingMigration in = new IncomingMigration(dst, first.destinationEnd(), caps, Clock.system(), dstStatus);
            // post-copy's background pages are held to 1 MiB/s, so the pause lands in post-copy
            Parameters p = Parameters.defaults().withMaxBandwidth(64 * MIB).withDowntimeLimitMs(20)
                    .withMaxPostcopyBandwidth(MIB);
            Migration m = new Migration(src, first.sourceEnd(), p, caps, Clock.system(), srcStatus);
            in.start();
            m.start();
            try {
                pauseAndResume(src, dst, m, in, p, srcStatus, dstStatus);
            } finally {
                m.abandon(); // nothing to give up once completed; a failed test must not leave them waiting
                in.abandon();
            }
        }
    }

    private static void pauseAndResume(Machine src, Machine dst, Migration m, IncomingMigration in, Parameters p,
            StatusRecorder srcStatus, StatusRecorder dstStatus) throws Exception {
        waitFor(() -> m.counters().get(Counter.DIRTY_SYNC_COUNT) >= 3, "three passes");
        m.startPostcopy();
        waitFor(() -> m.status() == MigrationStatus.POSTCOPY_ACTIVE, "post-copy");

        m.pause();
        waitFor(() -> m.status() == MigrationStatus.POSTCOPY_PAUSED
                && in.status() == MigrationStatus.POSTCOPY_PAUSED, "both sides to pause");
        assertThat(dst.state()).isEqualTo(RunState.RUNNING);
        List<IncomingPages> tracking = new ArrayList<>();
        long missing = 0;
        for (RamBlock b : dst.ram()) {
            tracking.add(b.incoming());
            missing += b.pages() - b.incoming().receivedPages();
        }
        assertThat(missing).as("pages still to come at the pause").isPositive();
        long sentBefore = sentPages(m);

        MemoryChannel second = new MemoryChannel();
        in.recover(second.destinationEnd());
        m.setParameters(p.withMaxPostcopyBandwidth(0));
        m.resume(second::sourceEnd);
        boolean done = m.await(2, TimeUnit.MINUTES);
        long stillMissing = missing;
        assertThat(done).as(() -> "the source ends; source " + srcStatus.path() + " (" + m.info().errorDesc()
                + "), destination " + dstStatus.path() + " (" + in.error() + "), pages sent since the pause "
                + (sentPages(m) - sentBefore) + " of " + stillMissing).isTrue();
        assertThat(in.await(2, TimeUnit.MINUTES)).isTrue();

        assertThat(m.status()).as(m.info().errorDesc()).isEqualTo(MigrationStatus.COMPLETED);
        assertThat(in.status()).as(in.error()).isEqualTo(MigrationStatus.COMPLETED);
        assertThat(srcStatus.path()).containsSubsequence(MigrationStatus.POSTCOPY_ACTIVE,
                MigrationStatus.POSTCOPY_PAUSED, MigrationStatus.POSTCOPY_RECOVER_SETUP,
                MigrationStatus.POSTCOPY_RECOVER, MigrationStatus.POSTCOPY_ACTIVE, MigrationStatus.COMPLETED);
        assertThat(dstStatus.path()).containsSubsequence(MigrationStatus.POSTCOPY_ACTIVE,
                MigrationStatus.POSTCOPY_PAUSED, MigrationStatus.POSTCOPY_RECOVER, MigrationStatus.POSTCOPY_ACTIVE,
                MigrationStatus.COMPLETED);
        assertThat(sentPages(m) - sentBefore).as("after the resume, exactly the pages that had not arrived")
                .isEqualTo(missing);
        assertThat(tracking).allSatisfy(t -> assertThat(t.droppedCopies()).isZero());
        assertThat(AbCheck.check(dst).passed()).isTrue();
        assertThat(MachineDigest.of(dst)).isEqualTo(MachineDigest.of(src));
    }

    private static long sentPages(Migration m) {
        return m.counters().get(Counter.NORMAL_PAGES) + m.counters().get(Counter.ZERO_PAGES)
                + m.counters().get(Counter.SKIPPED_PAGES);
    }
}

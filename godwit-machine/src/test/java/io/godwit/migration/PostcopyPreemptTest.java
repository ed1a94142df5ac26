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
import io.godwit.ram.RamBlock;
import io.godwit.reference.workload.AbWorkload;
import io.godwit.reference.workload.RandomReader;
import io.godwit.stats.Counter;
import io.godwit.transport.Listener;
import io.godwit.transport.MemoryChannel;
import io.godwit.transport.Transports;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * postcopy-preempt between two machines: the pages the destination asks for come on a second
 * connection, loaded by a thread of their own, while the background pages go on the main stream.
 */
class PostcopyPreemptTest {
    private static final long MIB = 1 << 20;
    private static final Capabilities CAPS = Capabilities.of(Capability.POSTCOPY_RAM, Capability.POSTCOPY_PREEMPT);

    @Test
    void requestedPagesTravelOnThePreemptChannelOverLoopbackTcp() throws Exception {
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst");
                Listener l = Transports.listen("tcp:127.0.0.1:0")) {
            machines(src, dst, 32);
            RandomReader reader = new RandomReader(512 * MIB, 3);
            dst.addWorkload(reader);
            assertThat(l.keepForPreempt(() -> true)).isTrue();
            StatusRecorder recorder = new StatusRecorder(Clock.system());
            Parameters p = Parameters.defaults().withMaxBandwidth(64 * MIB).withDowntimeLimitMs(50)
                    .withMaxPostcopyBandwidth(8 * MIB); // background pages slow: the reader must ask
            Migration m = new Migration(src, Migration.Opener.connecting(l.address(), 0), p, CAPS, Clock.system(),
                    recorder).preemptChannel(Migration.Opener.connecting(l.address(), 0));
            m.start();
            IncomingMigration in = new IncomingMigration(dst, l.accept(), CAPS, Clock.system(), MigrationListener.NONE);
            Thread.ofPlatform().start(() -> {
                try {
                    in.preemptChannel(l.acceptPreempt());
                } catch (IOException e) {
                    in.preemptChannelFailed(e.getMessage());
                }
            });
            in.start();
            try {
                waitFor(() -> m.counters().get(Counter.DIRTY_SYNC_COUNT) >= 3, "three passes");
                assertThat(dst.state()).isEqualTo(RunState.INMIGRATE);
                m.startPostcopy();
                assertThat(m.await(2, TimeUnit.MINUTES)).as("source ends: %s", m.info().errorDesc()).isTrue();
                assertThat(in.await(2, TimeUnit.MINUTES)).isTrue();
            } finally {
                m.abandon();
                in.abandon();
            }

            assertThat(m.status()).as(m.info().errorDesc()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(in.status()).as(in.error()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(recorder.path()).containsSubsequence(MigrationStatus.POSTCOPY_ACTIVE, MigrationStatus.COMPLETED);
            assertThat(AbCheck.check(dst).passed()).isTrue();
            assertThat(MachineDigest.of(dst)).isEqualTo(MachineDigest.of(src));
            MigrationInfo.Postcopy pc = in.info().postcopy();
            assertThat(pc.requests()).as("the reader asked for pages").isPositive();
            assertThat(pc.preemptPages()).as("requested pages came on the preempt channel").isPositive();
            assertThat(pc.preemptPages()).as("only requested pages go there, at most 65536 per request")
                    .isLessThanOrEqualTo(m.counters().get(Counter.POSTCOPY_REQUESTS) * 65536);
            assertThat(pc.preemptPages() * RamBlock.PAGE_SIZE).as("the background pages stay on the main stream")
                    .isLessThan(pc.bytes());
        }
    }

    @Test
    void aPreemptChannelThatBreaksPausesPostcopyWhichResumesWithoutIt() throws Exception {
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst")) {
            machines(src, dst, 64);
            dst.addWorkload(new RandomReader(4 * MIB, 5));
            StatusRecorder srcStatus = new StatusRecorder(Clock.system());
            StatusRecorder dstStatus = new StatusRecorder(Clock.system());
            MemoryChannel first = new MemoryChannel();
            MemoryChannel preempt = new MemoryChannel();
            IncomingMigration in = new IncomingMigration(dst, first.destinationEnd(), CAPS, Clock.system(), dstStatus);
            in.preemptChannel(preempt.destinationEnd());
            Parameters p = Parameters.defaults().withMaxBandwidth(64 * MIB).withDowntimeLimitMs(20)
                    .withMaxPostcopyBandwidth(MIB);
            Migration m = new Migration(src, first.sourceEnd(), p, CAPS, Clock.system(), srcStatus)
                    .preemptChannel(preempt::sourceEnd);
            in.start();
            m.start();
            try {
                waitFor(() -> m.counters().get(Counter.DIRTY_SYNC_COUNT) >= 3, "three passes");
                m.startPostcopy();
                waitFor(() -> in.info().postcopy() != null && in.info().postcopy().preemptPages() > 0,
                        "a page on the preempt channel");
                preempt.destinationEnd().shutdown(); // the preempt link breaks, the main one does not
                waitFor(() -> m.status() == MigrationStatus.POSTCOPY_PAUSED
                        && in.status() == MigrationStatus.POSTCOPY_PAUSED, "both sides to pause");
                assertThat(dst.state()).isEqualTo(RunState.RUNNING);
                long preemptAtPause = in.info().postcopy().preemptPages();

                MemoryChannel second = new MemoryChannel();
                in.recover(second.destinationEnd());
                m.setParameters(p.withMaxPostcopyBandwidth(0));
                m.resume(second::sourceEnd);
                assertThat(m.await(2, TimeUnit.MINUTES)).as("source ends: %s", m.info().errorDesc()).isTrue();
                assertThat(in.await(2, TimeUnit.MINUTES)).isTrue();
                assertThat(in.info().postcopy().preemptPages()).as("resumed without the preempt channel")
                        .isEqualTo(preemptAtPause);
            } finally {
                m.abandon();
                in.abandon();
            }
            assertThat(m.status()).as(m.info().errorDesc()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(in.status()).as(in.error()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(srcStatus.path()).containsSubsequence(MigrationStatus.POSTCOPY_ACTIVE,
                    MigrationStatus.POSTCOPY_PAUSED, MigrationStatus.POSTCOPY_RECOVER, MigrationStatus.COMPLETED);
            assertThat(dstStatus.path()).containsSubsequence(MigrationStatus.POSTCOPY_ACTIVE,
                    MigrationStatus.POSTCOPY_PAUSED, MigrationStatus.POSTCOPY_RECOVER, MigrationStatus.COMPLETED);
            assertThat(AbCheck.check(dst).passed()).isTrue();
            assertThat(MachineDigest.of(dst)).isEqualTo(MachineDigest.of(src));
        }
    }

    @Test
    void aSourceThatOpensNoPreemptChannelFailsBeforeTheDestinationRuns() throws Exception {
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst")) {
            machines(src, dst, 32);
            MemoryChannel first = new MemoryChannel();
            IncomingMigration in = new IncomingMigration(dst, first.destinationEnd(), CAPS, Clock.system(),
                    MigrationListener.NONE);
            in.preemptChannelFailed("the listener closed");
            Migration m = new Migration(src, first.sourceEnd(), Parameters.defaults().withMaxBandwidth(16 * MIB)
                    .withDowntimeLimitMs(20),
                    CAPS, Clock.system(), MigrationListener.NONE).preemptChannel(() -> new MemoryChannel().sourceEnd());
            in.start();
            m.start();
            waitFor(() -> m.counters().get(Counter.DIRTY_SYNC_COUNT) >= 2, "two passes");
            m.startPostcopy();
            assertThat(in.await(2, TimeUnit.MINUTES)).isTrue();
            assertThat(m.await(2, TimeUnit.MINUTES)).isTrue();
            assertThat(in.status()).as("pre-copy must not converge here").isEqualTo(MigrationStatus.FAILED);
            assertThat(in.error()).contains("postcopy-preempt").contains("the listener closed");
            assertThat(dst.state()).as("the destination never ran").isNotEqualTo(RunState.RUNNING);
            assertThat(src.state()).as("the source runs again").isEqualTo(RunState.RUNNING);
        }
    }

    private static AbWorkload machines(Machine src, Machine dst, long mib) {
        src.addRam("pc.ram", mib * MIB);
        dst.addRam("pc.ram", mib * MIB);
        AbWorkload ab = new AbWorkload();
        src.addWorkload(ab);
        src.start();
        waitFor(() -> ab.sweeps() >= 1, "the a-b writer's first sweep");
        return ab;
    }
}

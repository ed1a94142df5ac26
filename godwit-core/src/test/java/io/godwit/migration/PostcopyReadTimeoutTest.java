package io.godwit.migration;

import static io.godwit.migration.PostcopyDestinationTest.POSTCOPY;
import static io.godwit.migration.PostcopyDestinationTest.SIZE;
import static io.godwit.migration.PostcopyDestinationTest.switchedOver;
import static io.godwit.migration.PostcopyDestinationTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.machine.RunState;
import io.godwit.ram.RamBlock;
import io.godwit.stream.Command;
import io.godwit.stream.RecvBitmap;
import io.godwit.stream.ReturnPathMessage;
import io.godwit.stream.StreamConstants;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * x-incoming-read-timeout in post-copy: once the destination runs, a source silent for the
 * timeout pauses the migration, as a broken link does, instead of failing it; the paused
 * destination reads nothing, so it waits for migrate-recover however long that takes; a connection
 * that migrate-recover accepts is watched too.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PostcopyReadTimeoutTest {
    static final long TIMEOUT_MS = 1000; // long beside the test's own steps, so load cannot trip it early

    final Machine dst = new Machine("destination");
    final RamBlock block = dst.addRam("pc.ram", SIZE);
    final StatusRecorder recorder = new StatusRecorder(Clock.system());

    @AfterEach
    void close() {
        dst.close();
    }

    @Test
    void aSilentSourcePausesPostcopyAndTheDestinationWaitsForRecover() throws Exception {
        IncomingMigration in;
        try (HandDrivenSource src = switchedOver()) { // all written before the start; then nothing
            in = new IncomingMigration(dst, src.destinationEnd(), POSTCOPY, Clock.system(), recorder)
                    .readTimeout(TIMEOUT_MS);
            in.start();
            waitUntil(() -> dst.state() == RunState.RUNNING, "the destination runs");
            waitUntil(() -> in.status() == MigrationStatus.POSTCOPY_PAUSED, "the silence pauses post-copy");
        }
        long pausedAt = System.nanoTime();
        assertThat(dst.state()).isEqualTo(RunState.RUNNING);
        // a slow scheduler can only make this wait longer: the pause must outlast the timeout
        waitUntil(() -> System.nanoTime() - pausedAt > TimeUnit.MILLISECONDS.toNanos(3 * TIMEOUT_MS),
                "three read timeouts to pass in the pause");
        assertThat(in.status()).isEqualTo(MigrationStatus.POSTCOPY_PAUSED);
        assertThat(in.error()).isNull();

        try (HandDrivenSource src2 = new HandDrivenSource()) { // resumes, then is silent
            src2.command(new RecvBitmap("pc.ram").toCommand()).command(Command.postcopyResume()).flush();
            in.recover(src2.destinationEnd());
            assertResumed(src2);
            waitUntil(() -> in.status() == MigrationStatus.POSTCOPY_PAUSED, "the recovered link's silence pauses");
        }
        try (HandDrivenSource src3 = new HandDrivenSource()) { // resumes and sends the rest
            src3.command(new RecvBitmap("pc.ram").toCommand()).command(Command.postcopyResume())
                    .pages(false, 0x55, 5).pages(true, 0, 9, 10, 11).eof().flush();
            in.recover(src3.destinationEnd());
            assertResumed(src3);
            assertThat(src3.nextNotPong()).isEqualTo(ReturnPathMessage.shut(0));
            assertThat(in.await(20, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(in.status()).as(in.error()).isEqualTo(MigrationStatus.COMPLETED);
        assertThat(block.getByte(5L << 12)).isEqualTo((byte) 0x55);
        assertThat(block.getByte(3L << 12)).isEqualTo((byte) 0x11);
        assertThat(recorder.path()).containsSubsequence(MigrationStatus.POSTCOPY_ACTIVE,
                MigrationStatus.POSTCOPY_PAUSED, MigrationStatus.POSTCOPY_RECOVER, MigrationStatus.POSTCOPY_ACTIVE,
                MigrationStatus.POSTCOPY_PAUSED, MigrationStatus.POSTCOPY_RECOVER, MigrationStatus.POSTCOPY_ACTIVE,
                MigrationStatus.COMPLETED);
    }

    /** RECV_BITMAP answered with what arrived (all but the discarded pages 5, 9, 10, 11), then RESUME_ACK. */
    private static void assertResumed(HandDrivenSource src) throws Exception {
        assertThat(src.nextNotPong()).isEqualTo(ReturnPathMessage.recvBitmap("pc.ram"));
        assertThat(src.nextBitmap()).containsExactly(0xf1dfL);
        assertThat(src.nextNotPong()).isEqualTo(ReturnPathMessage.resumeAck(StreamConstants.RESUME_ACK_VALUE));
    }
}

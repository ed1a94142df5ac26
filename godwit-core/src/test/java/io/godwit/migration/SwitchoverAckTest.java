package io.godwit.migration;

import static io.godwit.migration.LoopRig.params;
import static io.godwit.migration.MigrationLoopTest.range;
import static io.godwit.migration.ScriptedHandler.Kind.EXACT;
import static io.godwit.migration.ScriptedHandler.Kind.ITERATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.machine.RunState;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.stream.ReturnPathMessage;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Switchover-ack: with return-path and switchover-ack on, pending that fits the threshold is not
 * enough; the loop keeps iterating until the destination's SWITCHOVER_ACK arrives on the return
 * path. The return-path reader is a real thread, so the test releases each message from inside a
 * handler callback and waits (bounded) until the reader has acted on it: the iteration at which
 * the ack takes effect is then fixed.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SwitchoverAckTest {
    static final long LINK = 65_536_000;
    static final int CHUNK = 65_536 - ScriptedHandler.PART_FRAMING;
    static final int FIRST_WITH_THRESHOLD = 102; // see ThresholdTest for the timing
    static final Capabilities ACK = Capabilities.of(Capability.RETURN_PATH, Capability.SWITCHOVER_ACK);

    private static void deliver(ScriptedReturnPath rp, ReturnPathMessage m) throws IOException {
        int seq = rp.release(m);
        try {
            rp.awaitConsumed(seq);
        } catch (InterruptedException e) {
            throw new InterruptedIOException("interrupted while delivering " + m);
        }
    }

    @Test
    void pendingThatFitsWaitsForTheDestinationsAck() throws IOException {
        ScriptedReturnPath rp = new ScriptedReturnPath();
        try (LoopRig rig = new LoopRig(LINK, rp)) {
            rig.link.capture();
            ScriptedHandler h = rig.handler("dev").iterateBytes(CHUNK)
                    .estimate((i, t) -> 1000)
                    .onIteration((i, t) -> {
                        if (i == 300) {
                            deliver(rp, ReturnPathMessage.switchoverAck());
                        }
                    })
                    .onComplete((i, t) -> rp.release(ReturnPathMessage.shut(0)));
            Migration m = rig.migration(params(300, 0, 0), ACK);
            m.run();

            assertThat(m.status()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(h.completedAt()).isEqualTo(300);
            // from the first window on, pending fitted: the exact pass ran, and still it iterated
            assertThat(h.iterations(EXACT)).containsExactlyElementsOf(range(FIRST_WITH_THRESHOLD, 300));
            assertThat(h.iterations(ITERATE)).containsExactlyElementsOf(range(1, 299));
            List<String> sections = MigrationLoopTest.readSections(rig, Map.of("dev", h), null);
            assertThat(sections.subList(0, 3)).containsExactly("CONFIGURATION", "COMMAND OPEN_RETURN_PATH", "START dev");
        }
    }

    @Test
    void returnPathAloneDoesNotWaitForAnAck() {
        ScriptedReturnPath rp = new ScriptedReturnPath();
        try (LoopRig rig = new LoopRig(LINK, rp)) {
            ScriptedHandler h = rig.handler("dev").iterateBytes(CHUNK)
                    .estimate((i, t) -> 1000)
                    .onComplete((i, t) -> rp.release(ReturnPathMessage.shut(0)));
            Migration m = rig.migration(params(300, 0, 0), Capabilities.of(Capability.RETURN_PATH));
            m.run();

            assertThat(m.status()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(h.completedAt()).isEqualTo(FIRST_WITH_THRESHOLD);
        }
    }

    @Test
    void withoutAnAckItNeverSwitchesOverAndCanBeCancelled() {
        ScriptedReturnPath rp = new ScriptedReturnPath();
        try (LoopRig rig = new LoopRig(LINK, rp)) {
            rig.machine.start();
            ScriptedHandler h = rig.handler("dev").iterateBytes(CHUNK)
                    .estimate((i, t) -> 0)
                    .onIteration((i, t) -> {
                        if (i == 2000) {
                            assertThat(rig.migration().cancel()).isTrue();
                        }
                    });
            Migration m = rig.migration(params(300, 0, 0), ACK);
            m.run();

            assertThat(m.status()).isEqualTo(MigrationStatus.CANCELLED);
            assertThat(h.completedAt()).isEqualTo(-1);
            assertThat(h.iterations(ITERATE)).hasSizeGreaterThanOrEqualTo(1999);
            assertThat(rig.machine.state()).isEqualTo(RunState.RUNNING);
        }
    }

    @Test
    void destinationThatFailsToLoadFailsTheMigrationAndTheSourceRunsAgain() {
        ScriptedReturnPath rp = new ScriptedReturnPath();
        try (LoopRig rig = new LoopRig(LINK, rp)) {
            rig.machine.start();
            ScriptedHandler h = rig.handler("dev").iterateBytes(CHUNK)
                    .estimate((i, t) -> 1000)
                    .onIteration((i, t) -> {
                        if (i == 150) {
                            deliver(rp, ReturnPathMessage.switchoverAck());
                        }
                    })
                    .onComplete((i, t) -> rp.release(ReturnPathMessage.shut(1)));
            Migration m = rig.migration(params(300, 0, 0), ACK);
            m.run();

            assertThat(h.completedAt()).isEqualTo(150);
            assertThat(m.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(m.info().errorDesc()).contains("SHUT status 1");
            assertThat(rig.machine.state()).isEqualTo(RunState.RUNNING);
            assertThat(rig.recorder.path()).endsWith(MigrationStatus.DEVICE, MigrationStatus.FAILED);
        }
    }
}

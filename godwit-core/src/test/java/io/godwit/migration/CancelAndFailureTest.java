package io.godwit.migration;

import static io.godwit.migration.LoopRig.params;
import static io.godwit.migration.MigrationStatus.*;
import static io.godwit.migration.ScriptedHandler.Kind.CLEANUP;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.machine.RunState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How a migration ends when it does not complete: cancelled by the user, or failed by a handler.
 * Either way the source carries on as it was (QEMU resumes a source that was running, and leaves a
 * paused one paused), and the status goes through QEMU's states.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CancelAndFailureTest {
    static final long LINK = 4_096_000;
    static final int CHUNK = 4096 - ScriptedHandler.PART_FRAMING;

    @Test
    void cancelDuringPrecopyEndsCancelledAndTheSourceKeepsRunning() {
        try (LoopRig rig = new LoopRig(LINK)) {
            rig.machine.start();
            List<Boolean> answers = new ArrayList<>();
            ScriptedHandler h = rig.handler("dev").iterateBytes(CHUNK)
                    .estimate((i, t) -> 1L << 30)
                    .onIteration((i, t) -> {
                        if (i == 50) {
                            answers.add(rig.migration().cancel());
                        }
                    });
            Migration m = rig.migration(params(300, 0, 0));
            m.run();

            assertThat(answers).containsExactly(true);
            assertThat(m.status()).isEqualTo(CANCELLED);
            assertThat(rig.recorder.path()).containsExactly(NONE, SETUP, ACTIVE, CANCELLING, CANCELLED);
            assertThat(m.info().errorDesc()).isEqualTo("cancelled by the user");
            assertThat(rig.machine.state()).isEqualTo(RunState.RUNNING);
            assertThat(h.iteration()).as("no iteration after the cancel").isEqualTo(50);
            assertThat(h.completedAt()).isEqualTo(-1);
            assertThat(h.calls(CLEANUP)).hasSize(1);
            assertThat(rig.link.isShut()).isTrue();
        }
    }

    @Test
    void cancelDuringStopCopyRestartsTheSource() {
        try (LoopRig rig = new LoopRig(LINK)) {
            rig.machine.start();
            List<RunState> whileStopping = new ArrayList<>();
            ScriptedHandler h = rig.handler("dev").iterateBytes(CHUNK)
                    .estimate((i, t) -> i < 20 ? 1L << 30 : 0)
                    .onComplete((i, t) -> {
                        whileStopping.add(rig.machine.state());
                        assertThat(rig.migration().cancel()).as("still before the point of no return").isTrue();
                    });
            Migration m = rig.migration(params(300, 0, 0));
            m.run();

            assertThat(whileStopping).containsExactly(RunState.FINISH_MIGRATE);
            assertThat(m.status()).isEqualTo(CANCELLED);
            assertThat(rig.recorder.path())
                    .containsExactly(NONE, SETUP, ACTIVE, DEVICE, CANCELLING, CANCELLED);
            assertThat(rig.machine.state()).isEqualTo(RunState.RUNNING);
            assertThat(h.calls(CLEANUP)).hasSize(1);
        }
    }

    @Test
    void cancelBeforeTheMigrationRunsEndsCancelled() {
        try (LoopRig rig = new LoopRig(LINK)) {
            rig.machine.start();
            ScriptedHandler h = rig.handler("dev").iterateBytes(CHUNK).estimate((i, t) -> 1L << 30);
            Migration m = rig.migration(params(300, 0, 0));
            assertThat(m.cancel()).isTrue();
            m.run();

            assertThat(m.status()).isEqualTo(CANCELLED);
            assertThat(rig.recorder.path()).containsExactly(NONE, SETUP, CANCELLING, CANCELLED);
            assertThat(h.iteration()).isZero();
            assertThat(rig.machine.state()).isEqualTo(RunState.RUNNING);
        }
    }

    @Test
    void cancelAfterCompletionIsRefused() {
        try (LoopRig rig = new LoopRig(LINK)) {
            rig.machine.start();
            rig.handler("dev").iterateBytes(CHUNK).estimate((i, t) -> 0);
            Migration m = rig.migration(params(300, 0, 0));
            m.run();

            assertThat(m.cancel()).isFalse();
            assertThat(m.status()).isEqualTo(COMPLETED);
            assertThat(rig.machine.state()).isEqualTo(RunState.POSTMIGRATE);
        }
    }

    @Test
    void iterateFailureEndsFailedWithTheHandlersMessage() {
        try (LoopRig rig = new LoopRig(LINK)) {
            rig.machine.start();
            ScriptedHandler h = rig.handler("dev").iterateBytes(CHUNK)
                    .estimate((i, t) -> 1L << 30)
                    .onIterate((i, t) -> {
                        if (i == 30) {
                            throw new IOException("disk image went away");
                        }
                    });
            Migration m = rig.migration(params(300, 0, 0));
            m.run();

            assertThat(m.status()).isEqualTo(FAILED);
            assertThat(m.info().errorDesc()).isEqualTo("disk image went away");
            assertThat(m.info().errorDesc()).isEqualTo("disk image went away");
            assertThat(rig.recorder.path()).containsExactly(NONE, SETUP, ACTIVE, FAILED);
            assertThat(rig.machine.state()).isEqualTo(RunState.RUNNING);
            assertThat(h.iteration()).isEqualTo(30);
            assertThat(h.calls(CLEANUP)).hasSize(1);
            assertThat(rig.link.isShut()).isTrue();
        }
    }

    @Test
    void stopCopyFailureRestartsTheSource() {
        try (LoopRig rig = new LoopRig(LINK)) {
            rig.machine.start();
            rig.handler("dev").iterateBytes(CHUNK)
                    .estimate((i, t) -> i < 20 ? 1L << 30 : 0)
                    .onComplete((i, t) -> {
                        throw new IOException("device refused to stop");
                    });
            Migration m = rig.migration(params(300, 0, 0));
            m.run();

            assertThat(m.status()).isEqualTo(FAILED);
            assertThat(m.info().errorDesc()).isEqualTo("device refused to stop");
            assertThat(rig.recorder.path()).containsExactly(NONE, SETUP, ACTIVE, DEVICE, FAILED);
            assertThat(rig.machine.state()).isEqualTo(RunState.RUNNING);
        }
    }

    @Test
    void stopCopyFailureLeavesAPausedSourcePaused() {
        try (LoopRig rig = new LoopRig(LINK)) {
            rig.machine.start();
            rig.machine.stop(RunState.PAUSED);
            rig.handler("dev").iterateBytes(CHUNK)
                    .estimate((i, t) -> i < 20 ? 1L << 30 : 0)
                    .onComplete((i, t) -> {
                        throw new IOException("device refused to stop");
                    });
            Migration m = rig.migration(params(300, 0, 0));
            m.run();

            assertThat(m.status()).isEqualTo(FAILED);
            assertThat(rig.machine.state()).as("back to the state it had before the migration")
                    .isEqualTo(RunState.PAUSED);
        }
    }

    @Test
    void cancelDuringStopCopyLeavesAPausedSourcePaused() {
        try (LoopRig rig = new LoopRig(LINK)) {
            rig.machine.start();
            rig.machine.stop(RunState.PAUSED);
            rig.handler("dev").iterateBytes(CHUNK)
                    .estimate((i, t) -> i < 20 ? 1L << 30 : 0)
                    .onComplete((i, t) -> rig.migration().cancel());
            Migration m = rig.migration(params(300, 0, 0));
            m.run();

            assertThat(m.status()).isEqualTo(CANCELLED);
            assertThat(rig.machine.state()).isEqualTo(RunState.PAUSED);
        }
    }

    @Test
    void destinationThatEndsTheMigrationEarlyFailsItAndTheSourceKeepsRunning() {
        ScriptedReturnPath rp = new ScriptedReturnPath();
        try (LoopRig rig = new LoopRig(LINK, rp)) {
            rig.machine.start();
            ScriptedHandler h = rig.handler("dev").iterateBytes(CHUNK)
                    .estimate((i, t) -> 1L << 30) // never converges: only the destination's SHUT ends it
                    .onIteration((i, t) -> {
                        if (i == 5) {
                            rp.release(io.godwit.stream.ReturnPathMessage.shut(1));
                            try {
                                rp.awaitTaken();
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    });
            Migration m = rig.migration(params(300, 0, 0),
                    io.godwit.options.Capabilities.of(io.godwit.options.Capability.RETURN_PATH));
            m.run();

            assertThat(m.status()).isEqualTo(FAILED);
            assertThat(m.info().errorDesc())
                    .isEqualTo("the destination ended the migration (SHUT status 1) before the stream was complete");
            assertThat(rig.machine.state()).isEqualTo(RunState.RUNNING);
            assertThat(h.completedAt()).isEqualTo(-1);
        }
    }
}

package io.godwit.migration;

import static io.godwit.migration.LoopRig.params;
import static io.godwit.migration.MigrationLoopTest.range;
import static io.godwit.migration.MigrationStatus.*;
import static io.godwit.migration.ScriptedHandler.Kind.COMPLETE;
import static io.godwit.migration.ScriptedHandler.Kind.COMPLETE_POSTCOPY;
import static io.godwit.migration.ScriptedHandler.Kind.ESTIMATE;
import static io.godwit.migration.ScriptedHandler.Kind.ITERATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.godwit.device.PendingPolicy;
import io.godwit.machine.RunState;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.stream.Command;
import io.godwit.stream.MigrationStreamReader;
import io.godwit.stream.ReturnPathMessage;
import io.godwit.stream.StreamInput;
import io.godwit.stream.StreamConstants;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The switch to post-copy on the loop rig, on virtual time (see MigrationLoopTest for the timing:
 * 1 ms per iteration, a threshold of exactly 300,000 bytes from iteration 102 on). "mem" stands for
 * RAM: it can follow the switch and never converges in pre-copy; "dev" cannot follow it.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PostcopySwitchTest {
    static final long LINK = MigrationLoopTest.LINK;
    static final int CHUNK = MigrationLoopTest.CHUNK;
    static final long T = MigrationLoopTest.T;
    static final Capabilities POSTCOPY = Capabilities.of(Capability.POSTCOPY_RAM);

    private static void deliver(ScriptedReturnPath rp, ReturnPathMessage m) throws IOException {
        int seq = rp.release(m);
        try {
            rp.awaitConsumed(seq);
        } catch (InterruptedException e) {
            throw new InterruptedIOException("interrupted while delivering " + m);
        }
    }

    /** A destination that loads the package at the first post-copy iteration and says SHUT(0) at the end. */
    private static ScriptedHandler memory(LoopRig rig, ScriptedReturnPath rp, int lastPending) {
        ScriptedHandler mem = rig.handler("mem").iterateBytes(CHUNK).postcopy()
                .estimate((i, t) -> i < lastPending ? 10 * T : 0)
                .onComplete((i, t) -> rp.release(ReturnPathMessage.shut(0)));
        boolean[] loaded = {false};
        mem.onIterate((i, t) -> {
            if (mem.sawPostcopy() && !loaded[0]) {
                loaded[0] = true;
                deliver(rp, ReturnPathMessage.pong(StreamConstants.PING_PACKAGED_LOADED));
            }
        });
        return mem;
    }

    @Test
    void switchesWhenWhatMustPrecedeTheSwitchFitsAndSendsTheRestAfterIt() throws IOException {
        ScriptedReturnPath rp = new ScriptedReturnPath();
        try (LoopRig rig = new LoopRig(LINK, rp)) {
            rig.link.capture();
            rig.machine.start();
            ScriptedHandler dev = rig.handler("dev").iterateBytes(CHUNK).estimate((i, t) -> 1000)
                    .onIteration((i, t) -> {
                        if (i == 150) {
                            rig.migration().startPostcopy();
                        }
                    });
            ScriptedHandler mem = memory(rig, rp, 200);
            FullStateHandler state = rig.fullState("state", 5000);
            Migration m = rig.migration(params(300, 0, 1_000_000), POSTCOPY);
            m.run();

            assertThat(m.status()).as(m.info().errorDesc()).isEqualTo(COMPLETED);
            assertThat(rig.recorder.path()).containsExactly(NONE, SETUP, ACTIVE, DEVICE, POSTCOPY_DEVICE,
                    POSTCOPY_ACTIVE, COMPLETED);
            // dev completed at the switch and was not asked again; mem went on until it had nothing left
            assertThat(dev.completedAt()).isEqualTo(150);
            assertThat(dev.iterations(ESTIMATE)).containsExactlyElementsOf(range(1, 150));
            assertThat(dev.iterations(ITERATE)).containsExactlyElementsOf(range(1, 149));
            assertThat(mem.calls(COMPLETE)).isEmpty();
            assertThat(mem.iterations(COMPLETE_POSTCOPY)).containsExactly(200);
            List<Integer> memIterations = new ArrayList<>(range(1, 149));
            memIterations.addAll(range(151, 199));
            assertThat(mem.iterations(ITERATE)).containsExactlyElementsOf(memIterations);
            assertThat(state.savedWhile()).containsExactly(RunState.FINISH_MIGRATE);
            assertThat(rig.machine.state()).isEqualTo(RunState.POSTMIGRATE);

            List<String> expected = new ArrayList<>(List.of("CONFIGURATION", "COMMAND OPEN_RETURN_PATH",
                    "COMMAND POSTCOPY_ADVISE", "START dev", "START mem"));
            for (int i = 1; i < 150; i++) {
                expected.addAll(List.of("PART dev", "PART mem"));
            }
            expected.addAll(List.of("END dev", "COMMAND PING 2", "PACKAGE[", "COMMAND POSTCOPY_LISTEN", "FULL state",
                    "COMMAND PING 3", "COMMAND PING 66", "COMMAND POSTCOPY_RUN", "]", "COMMAND PING 4"));
            for (int i = 151; i < 200; i++) {
                expected.add("PART mem");
            }
            expected.addAll(List.of("END mem", "EOF"));
            assertThat(MigrationLoopTest.readSections(rig, Map.of("dev", dev, "mem", mem), state).stream()
                    .filter(r -> !isLinkProbe(r)).toList()) // the link probe's PINGs follow the clock, not this order
                    .containsExactlyElementsOf(expected);

            long switchedAt = rig.recorder.enteredAt(DEVICE);
            long runningAt = rig.recorder.enteredAt(POSTCOPY_ACTIVE);
            assertThat(m.info().downtimeMs()).isBetween(0L, (runningAt - switchedAt) / 1_000_000);
            assertThat(m.info().ram().postcopyBytes()).as("the post-copy PART and END sections")
                    .isGreaterThanOrEqualTo(49L * (CHUNK + ScriptedHandler.PART_FRAMING));
        }
    }

    static boolean isLinkProbe(String record) {
        return record.startsWith("COMMAND PING ")
                && LinkProbe.owns(Integer.parseInt(record.substring("COMMAND PING ".length())));
    }

    @Test
    void aRequestBeforeTheFirstWindowWaitsForAThreshold() {
        ScriptedReturnPath rp = new ScriptedReturnPath();
        try (LoopRig rig = new LoopRig(LINK, rp)) {
            ScriptedHandler dev = rig.handler("dev").iterateBytes(CHUNK).estimate((i, t) -> 1000);
            memory(rig, rp, 300);
            Migration m = rig.migration(params(300, 0, 1_000_000), POSTCOPY);
            m.startPostcopy();
            m.run();

            assertThat(m.status()).isEqualTo(COMPLETED);
            int at = dev.completedAt();
            assertThat(dev.thresholdAt(at)).isEqualTo(T);
            assertThat(dev.calls(ESTIMATE).subList(0, at - 1)).as("must-precopy 1000 > threshold 0 until the "
                    + "first window closes").allSatisfy(c -> assertThat(c.thresholdSize()).isZero());
        }
    }

    @Test
    void withoutStartPostcopyTheMigrationStaysInPrecopy() {
        ScriptedReturnPath rp = new ScriptedReturnPath();
        try (LoopRig rig = new LoopRig(LINK, rp)) {
            ScriptedHandler mem = rig.handler("mem").iterateBytes(CHUNK).postcopy()
                    .estimate((i, t) -> i < 500 ? 10 * T : 0)
                    .onComplete((i, t) -> rp.release(ReturnPathMessage.shut(0)));
            Migration m = rig.migration(params(300, 0, 1_000_000), POSTCOPY);
            m.run();

            assertThat(m.status()).isEqualTo(COMPLETED);
            assertThat(rig.recorder.path()).containsExactly(NONE, SETUP, ACTIVE, DEVICE, COMPLETED);
            assertThat(mem.completedAt()).as("completed by pre-copy once pending fitted").isEqualTo(500);
        }
    }

    /**
     * A threshold-policy device keeps post-copy from starting while it has initial data, as it keeps
     * switchover from starting: post-copy is asked for from the start, and the switch waits until the
     * device's 600,000 initial bytes (4096 per iteration) have gone. A legacy device reports them
     * honestly, and since they fit the threshold the switch leaves them to stop-copy.
     */
    @Test
    void aThresholdDeviceKeepsPostcopyFromStartingUntilItsInitialDataIsSent() {
        assertThat(initialBytesLeftAtTheSwitch(PendingPolicy.THRESHOLD)).isZero();
        assertThat(initialBytesLeftAtTheSwitch(PendingPolicy.LEGACY)).isPositive();
    }

    private static long initialBytesLeftAtTheSwitch(PendingPolicy policy) {
        ScriptedReturnPath rp = new ScriptedReturnPath();
        try (LoopRig rig = new LoopRig(LINK, rp)) {
            memory(rig, rp, 1000);
            InitialDataDevice device = new InitialDataDevice("nic", 600_000, 4096);
            rig.machine.addDevice(device, policy);
            List<Long> leftAtStop = new ArrayList<>();
            rig.machine.onStateChange((from, to) -> {
                if (to == RunState.FINISH_MIGRATE) {
                    leftAtStop.add(device.initialLeft());
                }
            });
            rig.machine.start();
            Migration m = rig.migration(params(300, 0, 1_000_000), POSTCOPY);
            m.startPostcopy();
            m.run();

            assertThat(m.status()).isEqualTo(COMPLETED);
            assertThat(rig.recorder.path()).contains(POSTCOPY_ACTIVE);
            assertThat(leftAtStop).hasSize(1);
            return leftAtStop.getFirst();
        }
    }

    @Test
    void cancelIsRefusedOncePostcopyHasStarted() {
        ScriptedReturnPath rp = new ScriptedReturnPath();
        try (LoopRig rig = new LoopRig(LINK, rp)) {
            rig.machine.start();
            List<Boolean> cancels = new ArrayList<>();
            ScriptedHandler mem = memory(rig, rp, 300);
            mem.onIteration((i, t) -> {
                if (i == 250) {
                    cancels.add(rig.migration().cancel());
                }
            });
            Migration m = rig.migration(params(300, 0, 1_000_000), POSTCOPY);
            m.startPostcopy();
            m.run();

            assertThat(cancels).containsExactly(false);
            assertThat(m.status()).isEqualTo(COMPLETED);
            assertThat(rig.machine.state()).isEqualTo(RunState.POSTMIGRATE);
        }
    }

    @Test
    void startPostcopyWithoutTheCapabilityIsRefusedWithQemusMessage() {
        try (LoopRig rig = new LoopRig(LINK)) {
            Migration m = rig.migration(params(300, 0, 1_000_000));
            assertThatIllegalStateException().isThrownBy(m::startPostcopy)
                    .withMessage("Enable postcopy with migrate_set_capability before the start of migration");
        }
    }

    /**
     * A link that breaks in post-copy pauses the migration; migrate resume=true gives it a new
     * connection, on which it says POSTCOPY_RESUME (no RAM here, so no RECV_BITMAP) and goes on at
     * the destination's RESUME_ACK.
     */
    @Test
    void aBrokenLinkPausesAndResumeGoesOnOverANewConnection() throws Exception {
        ScriptedReturnPath rp1 = new ScriptedReturnPath();
        ScriptedReturnPath rp2 = new ScriptedReturnPath();
        try (LoopRig rig = new LoopRig(LINK, rp1)) {
            rig.machine.start();
            SimulatedLink link2 = new SimulatedLink(rig.clock, LINK, rp2).capture();
            ScriptedReturnPath[] current = {rp1};
            ScriptedHandler mem = rig.handler("mem").iterateBytes(CHUNK).postcopy()
                    .estimate((i, t) -> i < 5000 ? 10 * T : 0)
                    .onComplete((i, t) -> current[0].release(ReturnPathMessage.shut(0)));
            boolean[] loaded = {false};
            mem.onIterate((i, t) -> {
                if (mem.sawPostcopy() && !loaded[0]) {
                    loaded[0] = true;
                    deliver(rp1, ReturnPathMessage.pong(StreamConstants.PING_PACKAGED_LOADED));
                }
            });
            mem.onIteration((i, t) -> {
                if (i == 200) {
                    rp1.close(); // the link is gone
                }
            });
            Migration m = rig.migration(params(300, 0, 1_000_000), POSTCOPY);
            m.startPostcopy();
            Thread source = Thread.ofPlatform().start(m::run);

            PostcopyDestinationTest.waitUntil(() -> m.status() == POSTCOPY_PAUSED, "the source pauses");
            assertThat(m.cancel()).as("no cancel in post-copy, paused or not").isFalse();
            assertThat(rig.machine.state()).isEqualTo(RunState.FINISH_MIGRATE);
            current[0] = rp2;
            m.resume(() -> link2);
            PostcopyDestinationTest.waitUntil(() -> m.status() == POSTCOPY_RECOVER, "the source reconnects");
            deliver(rp2, ReturnPathMessage.resumeAck(StreamConstants.RESUME_ACK_VALUE));
            source.join(30_000);

            assertThat(m.status()).as(m.info().errorDesc()).isEqualTo(COMPLETED);
            assertThat(rig.recorder.path()).containsSubsequence(POSTCOPY_ACTIVE, POSTCOPY_PAUSED,
                    POSTCOPY_RECOVER_SETUP, POSTCOPY_RECOVER, POSTCOPY_ACTIVE, COMPLETED);
            byte[] resumed = link2.captured();
            MigrationStreamReader r = new MigrationStreamReader(new StreamInput(MigrationLoopTest.source(resumed)));
            assertThat(r.next()).as("no header: the stream goes on").isEqualTo(Command.postcopyResume());
            assertThat(resumed[resumed.length - 1]).as("it ends with EOF").isEqualTo((byte) StreamConstants.EOF);
            assertThat(mem.iterations(COMPLETE_POSTCOPY)).isNotEmpty();
            assertThat(rig.machine.state()).isEqualTo(RunState.POSTMIGRATE);
        }
    }

    @Test
    void resumeIsRefusedUnlessPausedAndPauseOutsidePostcopy() {
        try (LoopRig rig = new LoopRig(LINK)) {
            Migration m = rig.migration(params(300, 0, 1_000_000), POSTCOPY);
            assertThatIllegalStateException().isThrownBy(() -> m.resume(() -> rig.link))
                    .withMessage("Cannot resume if there is no paused migration");
            assertThatIllegalStateException().isThrownBy(m::pause).withMessage(
                    "migrate-pause is currently only supported during postcopy-active or postcopy-recover state");
        }
    }

    @Test
    void aDestinationThatFailsBeforeLoadingThePackageLetsTheSourceRunAgain() {
        ScriptedReturnPath rp = new ScriptedReturnPath();
        try (LoopRig rig = new LoopRig(LINK, rp)) {
            rig.machine.start();
            ScriptedHandler mem = rig.handler("mem").iterateBytes(CHUNK).postcopy().estimate((i, t) -> 10 * T);
            mem.onIterate((i, t) -> {
                if (mem.sawPostcopy() && i == 110) {
                    rp.release(ReturnPathMessage.shut(1)); // no PONG 0x42: it never ran
                }
            });
            Migration m = rig.migration(params(300, 0, 1_000_000), POSTCOPY);
            m.startPostcopy();
            m.run();

            assertThat(m.status()).isEqualTo(FAILED);
            assertThat(rig.recorder.path()).containsSubsequence(POSTCOPY_DEVICE, FAILED);
            assertThat(m.info().errorDesc()).contains("SHUT status 1").doesNotContain("stays paused");
            assertThat(rig.machine.state()).isEqualTo(RunState.RUNNING);
        }
    }
}

package io.godwit.migration;

import static io.godwit.migration.LoopRig.params;
import static io.godwit.migration.MigrationLoopTest.range;
import static io.godwit.migration.ScriptedHandler.Kind.ITERATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.stream.ReturnPathMessage;
import java.io.IOException;
import java.io.InterruptedIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * QEMU's qemu_savevm_state_iterate: a handler that has not finished its stage holds back the
 * handlers after it, unless switchover is not allowed yet (switchover-ack pending), when every
 * handler gets its turn.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IterationOrderTest {
    static final long LINK = 65_536_000;
    static final int CHUNK = 32_768 - ScriptedHandler.PART_FRAMING;

    @Test
    void unfinishedHandlerHoldsBackTheOnesAfterIt() {
        try (LoopRig rig = new LoopRig(LINK)) {
            ScriptedHandler a = rig.handler("a").iterateBytes(CHUNK).iterateDone(i -> i % 3 == 0)
                    .estimate((i, t) -> i < 30 ? 1L << 40 : 0);
            ScriptedHandler b = rig.handler("b").iterateBytes(CHUNK).estimate((i, t) -> 0);
            Migration m = rig.migration(params(300, 0, 0));
            m.run();

            assertThat(m.status()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(a.iterations(ITERATE)).containsExactlyElementsOf(range(1, 29));
            assertThat(b.iterations(ITERATE)).as("b runs only after a finished its stage")
                    .containsExactly(3, 6, 9, 12, 15, 18, 21, 24, 27);
        }
    }

    @Test
    void whileSwitchoverIsNotAllowedEveryHandlerIterates() throws IOException {
        ScriptedReturnPath rp = new ScriptedReturnPath();
        try (LoopRig rig = new LoopRig(LINK, rp)) {
            ScriptedHandler a = rig.handler("a").iterateBytes(CHUNK).iterateDone(i -> false)
                    .estimate((i, t) -> 1000)
                    .onIteration((i, t) -> {
                        if (i == 200) {
                            int seq = rp.release(ReturnPathMessage.switchoverAck());
                            try {
                                rp.awaitConsumed(seq);
                            } catch (InterruptedException e) {
                                throw new InterruptedIOException();
                            }
                        }
                    })
                    .onComplete((i, t) -> rp.release(ReturnPathMessage.shut(0)));
            ScriptedHandler b = rig.handler("b").iterateBytes(CHUNK).estimate((i, t) -> 0);
            Migration m = rig.migration(params(300, 0, 0), Capabilities.of(Capability.RETURN_PATH,
                    Capability.SWITCHOVER_ACK));
            m.run();

            assertThat(m.status()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(a.completedAt()).isEqualTo(200);
            assertThat(b.iterations(ITERATE)).as("without the ack, b iterates although a is unfinished")
                    .containsExactlyElementsOf(range(1, 199));
        }
    }
}

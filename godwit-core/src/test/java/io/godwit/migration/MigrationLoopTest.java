package io.godwit.migration;

import static io.godwit.migration.LoopRig.params;
import static io.godwit.migration.MigrationStatus.*;
import static io.godwit.migration.ScriptedHandler.Kind.ESTIMATE;
import static io.godwit.migration.ScriptedHandler.Kind.EXACT;
import static io.godwit.migration.ScriptedHandler.Kind.ITERATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.machine.RunState;
import io.godwit.savevm.SaveStateEntry;
import io.godwit.stream.ByteSource;
import io.godwit.stream.Command;
import io.godwit.stream.CommandType;
import io.godwit.stream.Configuration;
import io.godwit.stream.MigrationStreamReader;
import io.godwit.stream.SectionHeader;
import io.godwit.stream.StreamConstants;
import io.godwit.stream.StreamInput;
import io.godwit.stream.StreamRecord;
import io.godwit.stream.VmDescription;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The completion rule of the pre-copy loop (QEMU's migration_iteration_run), on virtual time.
 *
 * <p>The link carries 4,096,000 bytes/s and the handler sends 4096 bytes per iteration, so an
 * iteration takes 1 ms. avail-switchover-bandwidth of 1,000,000 bytes/s and a downtime limit of
 * 300 ms make the threshold exactly 300,000 bytes once the first 100 ms window has closed (at the
 * end of iteration 101; the last buffer of each iteration is still in the stream's hands, so the
 * clock lags the bytes by one buffer). Before that the threshold is 0.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a broken loop spins on virtual time
class MigrationLoopTest {
    static final long LINK = 4_096_000;
    static final int CHUNK = 4096 - ScriptedHandler.PART_FRAMING;
    static final long T = 300_000;
    static final int FIRST_WINDOW_ITERATIONS = 101;

    private static Migration migration(LoopRig rig) {
        return rig.migration(params(300, 0, 1_000_000));
    }

    @Test
    void completesOnTheFirstIterationWhosePendingFitsTheThreshold() {
        try (LoopRig rig = new LoopRig(LINK)) {
            ScriptedHandler h = rig.handler("dev").iterateBytes(CHUNK)
                    .estimate((i, t) -> i < 150 ? T + 1 : T - 1);
            Migration m = migration(rig);
            m.run();

            assertThat(m.status()).isEqualTo(COMPLETED);
            assertThat(h.completedAt()).isEqualTo(150);
            assertThat(h.thresholdAt(150)).isEqualTo(T);
            assertThat(h.iterations(ITERATE)).containsExactlyElementsOf(range(1, 149));
            assertThat(h.iterations(EXACT)).containsExactly(150);
            // every iteration that did not complete had more pending than its threshold
            assertThat(h.calls(ESTIMATE).subList(0, 149))
                    .allSatisfy(c -> assertThat(c.reported()).isGreaterThan(c.thresholdSize()));
            assertThat(rig.recorder.path()).containsExactly(NONE, SETUP, ACTIVE, DEVICE, COMPLETED);
        }
    }

    @Test
    void pendingEqualToTheThresholdCompletesWithoutAnExactPass() {
        try (LoopRig rig = new LoopRig(LINK)) {
            ScriptedHandler h = rig.handler("dev").iterateBytes(CHUNK)
                    .estimate((i, t) -> i < 150 ? T + 1 : T);
            Migration m = migration(rig);
            m.run();

            assertThat(m.status()).isEqualTo(COMPLETED);
            assertThat(h.completedAt()).isEqualTo(150);
            assertThat(h.thresholdAt(150)).isEqualTo(T);
            assertThat(h.calls(EXACT)).as("exact runs only for estimate < threshold").isEmpty();
        }
    }

    @Test
    void oneByteOverTheThresholdKeepsIterating() {
        try (LoopRig rig = new LoopRig(LINK)) {
            ScriptedHandler h = rig.handler("dev").iterateBytes(CHUNK)
                    .estimate((i, t) -> i <= 400 ? T + 1 : 0);
            Migration m = migration(rig);
            m.run();

            assertThat(h.completedAt()).isEqualTo(401);
            assertThat(h.iterations(ITERATE)).hasSize(400);
            assertThat(h.iterations(EXACT)).containsExactly(401);
            assertThat(h.calls(ESTIMATE).subList(FIRST_WINDOW_ITERATIONS, 400))
                    .allSatisfy(c -> assertThat(c.thresholdSize()).isEqualTo(T));
        }
    }

    @Test
    void theExactFigureDecidesWhenTheEstimateFits() {
        try (LoopRig rig = new LoopRig(LINK)) {
            ScriptedHandler h = rig.handler("dev").iterateBytes(CHUNK)
                    .estimate((i, t) -> i < 150 ? 10 * T : T - 1)
                    .exact((i, t) -> i < 160 ? T + 1 : T - 1); // the sync finds more dirty data until 160
            Migration m = migration(rig);
            m.run();

            assertThat(h.completedAt()).isEqualTo(160);
            assertThat(h.iterations(EXACT)).containsExactlyElementsOf(range(150, 160));
            assertThat(h.iterations(ITERATE)).containsExactlyElementsOf(range(1, 159));
        }
    }

    @Test
    void nothingPendingCompletesAtTheFirstIterationEvenBeforeTheFirstWindow() {
        try (LoopRig rig = new LoopRig(LINK)) {
            ScriptedHandler h = rig.handler("dev").iterateBytes(CHUNK).estimate((i, t) -> 0);
            Migration m = migration(rig);
            m.run();

            assertThat(m.status()).isEqualTo(COMPLETED);
            assertThat(h.completedAt()).isEqualTo(1);
            assertThat(h.thresholdAt(1)).isZero();
            assertThat(h.calls(EXACT)).as("0 < 0 is false: no exact pass").isEmpty();
            assertThat(h.calls(ITERATE)).isEmpty();
        }
    }

    @Test
    void anythingPendingWaitsForTheFirstBandwidthWindow() {
        try (LoopRig rig = new LoopRig(LINK)) {
            ScriptedHandler h = rig.handler("dev").iterateBytes(CHUNK).estimate((i, t) -> 1);
            Migration m = migration(rig);
            m.run();

            int done = h.completedAt();
            assertThat(done).isEqualTo(FIRST_WINDOW_ITERATIONS + 1);
            assertThat(h.calls(ESTIMATE).subList(0, done - 1))
                    .allSatisfy(c -> assertThat(c.thresholdSize()).isZero());
            assertThat(h.thresholdAt(done)).isEqualTo(T);
            assertThat(h.nanosAt(done) - rig.activeAt()).isGreaterThanOrEqualTo(BandwidthWindow.WINDOW_NANOS);
            assertThat(h.iterations(EXACT)).containsExactly(done);
        }
    }

    @Test
    void doneFlagsFromIterateDoNotEndPrecopy() {
        try (LoopRig rig = new LoopRig(LINK)) {
            ScriptedHandler h = rig.handler("dev").iterateBytes(CHUNK).iterateDone(i -> true)
                    .estimate((i, t) -> i < 200 ? T + 1 : 0);
            Migration m = migration(rig);
            m.run();

            assertThat(h.completedAt()).isEqualTo(200);
            assertThat(h.iterations(ITERATE)).hasSize(199);
        }
    }

    /**
     * Every live handler is asked every iteration; the exact pass runs on all of them, and all get
     * the same threshold; the one threshold the loop publishes in info().
     */
    @Test
    void everyLiveHandlerIsAskedEveryIterationWithTheLoopsThreshold() {
        try (LoopRig rig = new LoopRig(LINK)) {
            List<Long> published = new ArrayList<>();
            ScriptedHandler a = rig.handler("a").iterateBytes(CHUNK)
                    .onIteration((i, t) -> published.add(rig.migration().info().thresholdSize()))
                    .estimate((i, t) -> i < 300 ? 2 * T : T / 4);
            ScriptedHandler b = rig.handler("b").iterateBytes(CHUNK)
                    .estimate((i, t) -> T / 2);
            Migration m = migration(rig);
            m.run();

            assertThat(a.completedAt()).isEqualTo(300);
            for (ScriptedHandler h : List.of(a, b)) {
                assertThat(h.iterations(ESTIMATE)).containsExactlyElementsOf(range(1, 300));
                assertThat(h.iterations(EXACT)).containsExactly(300);
                assertThat(h.iterations(ITERATE)).containsExactlyElementsOf(range(1, 299));
                assertThat(h.calls(ESTIMATE).stream().map(ScriptedHandler.Call::thresholdSize).toList())
                        .containsExactlyElementsOf(published);
            }
            assertThat(b.calls(EXACT).getFirst().thresholdSize()).isEqualTo(T);
        }
    }

    @Test
    void switchoverStopsTheMachineEndsLiveSectionsThenSavesDeviceStateOnce() throws IOException {
        try (LoopRig rig = new LoopRig(LINK)) {
            rig.link.capture();
            rig.machine.start();
            ScriptedHandler a = rig.handler("a").iterateBytes(1000).completeBytes(300)
                    .estimate((i, t) -> i < 150 ? T + 1 : T / 2);
            ScriptedHandler b = rig.handler("b").iterateBytes(2000).completeBytes(700).estimate((i, t) -> 0);
            FullStateHandler state = rig.fullState("state", 5000);
            List<RunState> stateAtComplete = new ArrayList<>();
            a.onComplete((i, t) -> stateAtComplete.add(rig.machine.state()));
            Migration m = migration(rig);
            m.run();

            assertThat(m.status()).isEqualTo(COMPLETED);
            assertThat(stateAtComplete).containsExactly(RunState.FINISH_MIGRATE);
            assertThat(state.savedWhile()).containsExactly(RunState.FINISH_MIGRATE);
            assertThat(state.pendingCalls()).isZero();
            assertThat(state.iterateCalls()).isZero();
            assertThat(rig.machine.state()).isEqualTo(RunState.POSTMIGRATE);

            List<String> tail = rig.journal.subList(rig.journal.size() - 5, rig.journal.size());
            assertThat(tail).containsExactly("a:COMPLETE", "b:COMPLETE", "state:STATE", "a:CLEANUP", "b:CLEANUP");
            assertThat(rig.journal.subList(0, 2)).containsExactly("a:SETUP", "b:SETUP");

            List<String> sections = readSections(rig, Map.of("a", a, "b", b), state);
            List<String> expected = new ArrayList<>(List.of("CONFIGURATION", "START a", "START b"));
            for (int i = 1; i < 150; i++) {
                expected.addAll(List.of("PART a", "PART b"));
            }
            expected.addAll(List.of("END a", "END b", "FULL state", "EOF", "VMDESCRIPTION state"));
            assertThat(sections).containsExactlyElementsOf(expected);
            assertThat(rig.link.bytesSent()).isEqualTo(rig.link.captured().length);
            assertThat(m.info().ram().transferred()).isEqualTo(rig.link.bytesSent());
        }
    }

    /** Walks the captured stream, skipping each payload by the size its handler says it wrote. */
    static List<String> readSections(LoopRig rig, Map<String, ScriptedHandler> live, FullStateHandler state)
            throws IOException {
        Map<Integer, String> names = new HashMap<>();
        Map<String, Deque<Long>> payloads = new HashMap<>();
        for (SaveStateEntry e : rig.machine.registry().entries()) {
            names.put(e.sectionId(), e.idstr());
        }
        live.forEach((n, h) -> payloads.put(n, new ArrayDeque<>(h.payloadSizes())));
        Deque<Long> full = new ArrayDeque<>(state != null ? List.of((long) state.stateBytes()) : List.of());
        MigrationStreamReader reader = new MigrationStreamReader(new StreamInput(source(rig.link.captured())));
        reader.readHeader();
        List<String> out = new ArrayList<>();
        walk(reader, names, payloads, full, state, out);
        return out;
    }

    /** Names every record; a PACKAGED command's package is walked too, between "PACKAGE[" and "]". */
    private static void walk(MigrationStreamReader reader, Map<Integer, String> names, Map<String, Deque<Long>> payloads,
            Deque<Long> full, FullStateHandler state, List<String> out) throws IOException {
        StreamRecord r;
        while ((r = reader.next()) != null) {
            switch (r) {
                case Configuration c -> out.add("CONFIGURATION");
                case Command c when c.type() == CommandType.PING -> out.add("COMMAND PING " + c.intValue());
                case Command c when c.type() == CommandType.PACKAGED -> {
                    byte[] pkg = reader.readPackage(c, 0);
                    out.add("PACKAGE[");
                    walk(new MigrationStreamReader(new StreamInput(source(pkg))), names, payloads, full, state, out);
                    out.add("]");
                }
                case Command c -> out.add("COMMAND " + c.type());
                case StreamRecord.Eof e -> out.add("EOF");
                case VmDescription d -> out.add("VMDESCRIPTION" + (state != null && d.json().contains("\"state\"")
                        ? " state" : ""));
                case SectionHeader h -> {
                    String name = names.get(h.sectionId());
                    out.add(sectionKind(h.type()) + " " + name);
                    Deque<Long> q = h.type() == StreamConstants.SECTION_FULL ? full : payloads.get(name);
                    reader.in().getBytes(Math.toIntExact(q.removeFirst()));
                    reader.readFooter(h.sectionId(), name);
                }
                default -> out.add("?" + r);
            }
        }
    }

    private static String sectionKind(int type) {
        return switch (type) {
            case StreamConstants.SECTION_START -> "START";
            case StreamConstants.SECTION_PART -> "PART";
            case StreamConstants.SECTION_END -> "END";
            case StreamConstants.SECTION_FULL -> "FULL";
            default -> throw new AssertionError("not a section type: " + type);
        };
    }

    static ByteSource source(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.allocateDirect(Math.max(1, bytes.length)).put(bytes).flip();
        return new ByteSource() {
            private boolean given;

            @Override
            public ByteBuffer next(ByteBuffer consumed) {
                if (given || !buf.hasRemaining()) {
                    return null;
                }
                given = true;
                return buf;
            }

            @Override
            public void close() {}
        };
    }

    static List<Integer> range(int from, int toInclusive) {
        return IntStream.rangeClosed(from, toInclusive).boxed().toList();
    }
}

package io.godwit.migration;

import static io.godwit.migration.LoopRig.params;
import static io.godwit.migration.ScriptedHandler.Kind.ITERATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.migration.ScriptedHandler.Call;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rate limit: max-bandwidth B gives each 100 ms window a budget of B / 10 bytes. A handler
 * starts an iteration only while the budget is not spent, so a window sends at most the budget
 * plus one handler's chunk; then the loop parks until the window ends. B = 0 means no limit.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a broken loop spins on virtual time
class RateLimitTest {
    static final long FAST_LINK = 102_400_000;
    static final long MAX_BANDWIDTH = 10_240_000;
    static final long BUDGET = MAX_BANDWIDTH / 10;
    static final int CHUNK = 100_000; // deliberately not a divisor of the budget
    static final int HEADER = 5; // PART section header: type + section id

    private static ScriptedHandler.Script untilSeconds(LoopRig rig, double seconds) {
        return (i, t) -> rig.clock.nanoTime() - rig.activeAt() < (long) (seconds * 1e9) ? 1L << 30 : 0;
    }

    @Test
    void eachWindowSendsItsBudgetPlusAtMostOneChunk() {
        try (LoopRig rig = new LoopRig(FAST_LINK)) {
            ScriptedHandler a = rig.handler("a").iterateBytes(CHUNK).estimate(untilSeconds(rig, 2));
            ScriptedHandler b = rig.handler("b").iterateBytes(CHUNK);
            rig.migration(params(300, MAX_BANDWIDTH, 0)).run();

            long t0 = rig.activeAt();
            Map<Long, List<Call>> windows = byWindow(t0, a, b);
            assertThat(windows).hasSizeGreaterThanOrEqualTo(19);
            long last = windows.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
            windows.forEach((w, calls) -> {
                long start = calls.getFirst().bytesBefore() - HEADER; // where the window's budget began
                for (Call c : calls) {
                    assertThat(c.bytesBefore() - HEADER - start)
                            .as("window %d: a handler started after the budget was spent", w)
                            .isLessThanOrEqualTo(BUDGET);
                }
                long sent = calls.getLast().bytesAfter() + HEADER - start;
                assertThat(sent).as("window %d", w).isLessThanOrEqualTo(BUDGET + CHUNK + ScriptedHandler.PART_FRAMING);
                if (w < last) {
                    assertThat(sent).as("window %d uses its budget", w).isGreaterThan(BUDGET);
                }
                if (w > 0) {
                    assertThat(calls.getFirst().nanos()).as("window %d starts when the previous one ends", w)
                            .isEqualTo(t0 + w * BandwidthWindow.WINDOW_NANOS);
                }
            });
            long elapsed = rig.clock.nanoTime() - t0;
            assertThat(rig.link.nanosSpent()).as("the link was idle most of the time: the loop parked")
                    .isLessThan(elapsed / 5);
        }
    }

    @Test
    void raisingMaxBandwidthMidRunRaisesTheBudgetAtOnce() {
        try (LoopRig rig = new LoopRig(FAST_LINK)) {
            long[] changedAt = {0};
            ScriptedHandler a = rig.handler("a").iterateBytes(CHUNK).estimate(untilSeconds(rig, 2))
                    .onIteration((i, t) -> {
                        Migration m = rig.migration();
                        if (changedAt[0] == 0 && rig.clock.nanoTime() - rig.activeAt() >= 1_000_000_000L) {
                            m.setParameters(m.parameters().withMaxBandwidth(4 * MAX_BANDWIDTH));
                            changedAt[0] = rig.clock.nanoTime();
                        }
                    });
            rig.migration(params(300, MAX_BANDWIDTH, 0)).run();

            long t0 = rig.activeAt();
            long changedWindow = (changedAt[0] - t0) / BandwidthWindow.WINDOW_NANOS;
            assertThat(changedWindow).isEqualTo(10);
            Map<Long, List<Call>> windows = byWindow(t0, a);
            windows.forEach((w, calls) -> {
                long start = calls.getFirst().bytesBefore() - HEADER;
                long sent = calls.getLast().bytesAfter() + HEADER - start;
                long budget = w < changedWindow ? BUDGET : 4 * BUDGET;
                assertThat(sent).as("window %d", w).isLessThanOrEqualTo(budget + CHUNK + ScriptedHandler.PART_FRAMING);
                if (w >= changedWindow && w < windows.size() - 1) {
                    assertThat(sent).as("window %d", w).isGreaterThan(4 * BUDGET);
                }
            });
        }
    }

    @Test
    void unlimitedBandwidthNeverParks() {
        try (LoopRig rig = new LoopRig(FAST_LINK)) {
            ScriptedHandler a = rig.handler("a").iterateBytes(CHUNK).estimate((i, t) -> i <= 300 ? 1L << 30 : 0);
            rig.handler("b").iterateBytes(CHUNK);
            long before = rig.clock.nanoTime();
            rig.migration(params(300, 0, 0)).run();

            assertThat(a.completedAt()).isEqualTo(301);
            assertThat(rig.clock.nanoTime() - before).as("all time passed on the link")
                    .isEqualTo(rig.link.nanosSpent());
            Map<Long, List<Call>> windows = byWindow(rig.activeAt(), a);
            List<Call> second = windows.get(1L);
            long sent = second.getLast().bytesAfter() - second.getFirst().bytesBefore();
            assertThat(sent).as("a window carries what the link carries, far above any budget")
                    .isGreaterThan(FAST_LINK / 10 * 9 / 10);
        }
    }

    /** ITERATE calls of all handlers, in stream order, by the 100 ms window they started in. */
    private static Map<Long, List<Call>> byWindow(long t0, ScriptedHandler... handlers) {
        List<Call> all = new ArrayList<>();
        for (ScriptedHandler h : handlers) {
            all.addAll(h.calls(ITERATE));
        }
        all.sort(Comparator.comparingLong(Call::bytesBefore));
        Map<Long, List<Call>> windows = new TreeMap<>();
        for (Call c : all) {
            windows.computeIfAbsent((c.nanos() - t0) / BandwidthWindow.WINDOW_NANOS, k -> new ArrayList<>()).add(c);
        }
        return windows;
    }
}

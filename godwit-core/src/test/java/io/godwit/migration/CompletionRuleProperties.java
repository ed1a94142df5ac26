package io.godwit.migration;

import static io.godwit.migration.LoopRig.params;
import static io.godwit.migration.ScriptedHandler.Kind.ESTIMATE;
import static io.godwit.migration.ScriptedHandler.Kind.EXACT;
import static io.godwit.migration.ScriptedHandler.Kind.ITERATE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The completion rule for any sequence of estimates and exact figures around the threshold: the
 * loop completes on the first iteration whose pending (the exact figure when the estimate is
 * under the threshold, else the estimate) is at most the threshold, runs the exact pass exactly
 * when the estimate is under it, and iterates on every iteration before.
 */
class CompletionRuleProperties {
    static final long T = 300_000; // avail-switchover-bandwidth 1,000,000 B/s x downtime-limit 300 ms

    @Property(tries = 60)
    void completesOnTheFirstIterationWhosePendingFitsTheThreshold(
            @ForAll @Size(min = 1, max = 30) List<@IntRange(min = -3, max = 3) Integer> estimateOffsets,
            @ForAll @Size(value = 30) List<@IntRange(min = -3, max = 3) Integer> exactOffsets) {
        int n = estimateOffsets.size();
        AtomicInteger base = new AtomicInteger(-1); // first iteration with a threshold
        try (LoopRig rig = new LoopRig(MigrationLoopTest.LINK)) {
            ScriptedHandler h = rig.handler("dev").iterateBytes(MigrationLoopTest.CHUNK)
                    .estimate((i, t) -> {
                        if (t == 0) {
                            return 10 * T; // before the first window: keep it iterating
                        }
                        base.compareAndSet(-1, i);
                        int j = i - base.get();
                        return j < n ? T + estimateOffsets.get(j) : 0;
                    })
                    .exact((i, t) -> {
                        int j = i - base.get();
                        return j < n ? T + exactOffsets.get(j) : 0;
                    });
            Migration m = rig.migration(params(300, 0, 1_000_000));
            m.run();

            int expectedStep = n;
            List<Integer> expectedExact = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                boolean exact = estimateOffsets.get(j) < 0;
                if (exact) {
                    expectedExact.add(j);
                }
                long pending = exact ? exactOffsets.get(j) : estimateOffsets.get(j);
                if (pending <= 0) {
                    expectedStep = j;
                    break;
                }
            }
            if (expectedStep == n) {
                expectedExact.add(n);
            }
            int b = base.get();
            assertThat(m.status()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(h.completedAt()).isEqualTo(b + expectedStep);
            assertThat(h.iterations(EXACT)).containsExactlyElementsOf(
                    expectedExact.stream().map(j -> b + j).toList());
            assertThat(h.iterations(ITERATE)).containsExactlyElementsOf(MigrationLoopTest.range(1, b + expectedStep - 1));
            assertThat(h.calls(ESTIMATE).subList(b - 1, h.completedAt()))
                    .allSatisfy(c -> assertThat(c.thresholdSize()).isEqualTo(T));
        }
    }
}

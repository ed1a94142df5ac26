package io.godwit.cli;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Tells a warm-up when to stop: once its rounds no longer add compilation. A fixed number of
 * rounds was too few for the per-packet methods of multifd, which the JIT's top tier then
 * compiled in the middle of the first real migration. Compilation runs in the background on the
 * same cores as the rounds, so after each round it is given the cores until it goes quiet (back to
 * back, the rounds kept the compiler's queue so long that it fell back to its lower tiers); a round
 * counts as quiet when it and the round before it each added almost no compilation.
 */
final class JitSettling {
    /** A round that adds less compilation than this is quiet. */
    private static final long QUIET_MS = 10;
    private static final long IDLE_STEP_MS = 20;
    private static final long IDLE_WAIT_MS = 1000;
    /** Past its minimum rounds, a part stops after this long even if the JIT is still busy (a loaded machine). */
    private static final long BUDGET_NS = 8_000_000_000L;

    private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    private final int minRounds;
    private final int maxRounds;
    private final long start = System.nanoTime();
    private long last;
    private int rounds;
    private int quietInARow;

    JitSettling(int minRounds, int maxRounds) {
        this.minRounds = minRounds;
        this.maxRounds = maxRounds;
        this.last = total();
    }

    /** Called after each round: true while another round is worth running. */
    boolean another() throws InterruptedException {
        rounds++;
        awaitCompilerIdle();
        long now = total();
        quietInARow = now - last < QUIET_MS ? quietInARow + 1 : 0;
        last = now;
        return rounds < minRounds
                || (rounds < maxRounds && quietInARow < 2 && System.nanoTime() - start < BUDGET_NS);
    }

    /** Waits until a short while passes with no compilation finished, at most {@link #IDLE_WAIT_MS}. */
    private void awaitCompilerIdle() throws InterruptedException {
        long deadline = System.nanoTime() + IDLE_WAIT_MS * 1_000_000;
        long before;
        do {
            before = total();
            Thread.sleep(IDLE_STEP_MS);
        } while (total() != before && System.nanoTime() < deadline);
    }

    int rounds() {
        return rounds;
    }

    private long total() {
        // without a JIT that reports its time, every round after the minimum looks quiet
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }
}

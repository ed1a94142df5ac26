package io.godwit.migration;

import io.godwit.savevm.LoadContext;
import io.godwit.savevm.Pending;
import io.godwit.savevm.SaveContext;
import io.godwit.savevm.SaveVmHandler;
import io.godwit.stats.Counter;
import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * A live handler that reports scripted pending sizes and writes a fixed number of bytes per
 * iteration, recording every call with the threshold it was given. An "iteration" is one
 * pendingEstimate call: the loop asks every live handler once per iteration.
 */
public final class ScriptedHandler implements SaveVmHandler {
    /** Bytes of framing the saver adds around each section payload: header (type + id) and footer. */
    public static final int PART_FRAMING = 10;

    /** A loop that runs this long is broken: the handler then throws, and the migration fails. */
    public static final int MAX_ITERATIONS = 100_000;

    private static final byte[] FILL = new byte[64 << 10];

    public enum Kind { SETUP, ESTIMATE, EXACT, ITERATE, COMPLETE, COMPLETE_POSTCOPY, CLEANUP }

    /**
     * One call. {@code reported} is the pending size reported (ESTIMATE, EXACT) or the done flag
     * as 0/1 (ITERATE); {@code nanos} is the clock when an ITERATE began, or when other calls
     * returned; bytes are the stream's {@code bytesWritten()} around the call.
     */
    public record Call(Kind kind, int iteration, long thresholdSize, long reported, long nanos, long bytesBefore,
            long bytesAfter) {}

    /** Pending bytes to report at an iteration (1-based), given the threshold the loop passed. */
    @FunctionalInterface
    public interface Script {
        long pending(int iteration, long thresholdSize);
    }

    /** Something to do at an iteration or at stop-copy; may throw to make the handler fail. */
    @FunctionalInterface
    public interface Hook {
        void run(int iteration, long thresholdSize) throws IOException;
    }

    private final String name;
    private final List<Call> calls = new ArrayList<>();
    private final List<String> journal;
    private Script estimate = (i, t) -> 0;
    private Script exact;
    private boolean reportAsPostcopy;
    private boolean hasPostcopy;
    private boolean inPostcopy; // what the save context said at the last iterate
    private int setupBytes = 16;
    private int iterateBytes = 4096 - PART_FRAMING;
    private int completeBytes = 64;
    private IntPredicate iterateDone = i -> true; // each iterate finishes its stage unless told otherwise
    private Hook onIteration = (i, t) -> {};
    private Hook onIterate = (i, t) -> {};
    private Hook onComplete = (i, t) -> {};
    private boolean countPasses;

    private SaveContext ctx;
    private int iteration;
    private long lastThreshold;

    public ScriptedHandler(String name) {
        this(name, new ArrayList<>());
    }

    /** A handler that also appends "name:KIND" to a journal shared with other handlers. */
    public ScriptedHandler(String name, List<String> journal) {
        this.name = name;
        this.journal = journal;
    }

    // ------------------------------------------------------------ script

    public ScriptedHandler estimate(Script s) {
        estimate = s;
        return this;
    }

    /** What pendingExact reports; by default the same as the estimate. */
    public ScriptedHandler exact(Script s) {
        exact = s;
        return this;
    }

    /** Reports pending as can-postcopy instead of must-precopy. */
    public ScriptedHandler reportAsPostcopy() {
        reportAsPostcopy = true;
        return this;
    }

    /** Says it can follow the switch to post-copy (and reports pending as can-postcopy). */
    public ScriptedHandler postcopy() {
        hasPostcopy = true;
        reportAsPostcopy = true;
        return this;
    }

    /** Payload bytes per saveLiveIterate (the section adds {@link #PART_FRAMING} more). */
    public ScriptedHandler iterateBytes(int n) {
        iterateBytes = n;
        return this;
    }

    public ScriptedHandler setupBytes(int n) {
        setupBytes = n;
        return this;
    }

    public ScriptedHandler completeBytes(int n) {
        completeBytes = n;
        return this;
    }

    public ScriptedHandler iterateDone(IntPredicate done) {
        iterateDone = done;
        return this;
    }

    /** Runs at the start of every iteration (inside pendingEstimate), before pending is reported. */
    public ScriptedHandler onIteration(Hook h) {
        onIteration = h;
        return this;
    }

    /** Runs inside saveLiveIterate, before the payload is written. */
    public ScriptedHandler onIterate(Hook h) {
        onIterate = h;
        return this;
    }

    /** Runs inside saveLiveCompletePrecopy, with the source stopped, before the payload. */
    public ScriptedHandler onComplete(Hook h) {
        onComplete = h;
        return this;
    }

    /** Counts a pass (dirty-sync-count + 1) at every pendingExact, as RAM does when it syncs. */
    public ScriptedHandler countPasses() {
        countPasses = true;
        return this;
    }

    // ------------------------------------------------------------ handler

    @Override
    public boolean hasPostcopy() {
        return hasPostcopy;
    }

    @Override
    public void saveSetup(SaveContext c) throws IOException {
        ctx = c;
        long before = c.out().bytesWritten();
        write(c.out(), setupBytes);
        record(Kind.SETUP, 0, 0, before);
    }

    @Override
    public void pendingEstimate(long thresholdSize, Pending pending) {
        if (++iteration > MAX_ITERATIONS) {
            throw new IllegalStateException(name + ": runaway loop, more than " + MAX_ITERATIONS + " iterations");
        }
        lastThreshold = thresholdSize;
        try {
            onIteration.run(iteration, thresholdSize);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        long size = estimate.pending(iteration, thresholdSize);
        report(pending, size);
        record(Kind.ESTIMATE, thresholdSize, size, -1);
    }

    @Override
    public void pendingExact(long thresholdSize, Pending pending) {
        long size = (exact != null ? exact : estimate).pending(iteration, thresholdSize);
        if (countPasses) {
            ctx.counters().add(Counter.DIRTY_SYNC_COUNT, 1);
        }
        report(pending, size);
        record(Kind.EXACT, thresholdSize, size, -1);
    }

    private void report(Pending pending, long size) {
        if (reportAsPostcopy) {
            pending.addCanPostcopy(size);
        } else {
            pending.addMustPrecopy(size);
        }
    }

    @Override
    public boolean saveLiveIterate(SaveContext c) throws IOException {
        long before = c.out().bytesWritten();
        long start = c.clock().nanoTime();
        inPostcopy = c.inPostcopy();
        onIterate.run(iteration, lastThreshold);
        write(c.out(), iterateBytes);
        boolean done = iterateDone.test(iteration);
        calls.add(new Call(Kind.ITERATE, iteration, lastThreshold, done ? 1 : 0, start, before,
                c.out().bytesWritten()));
        journal.add(name + ":" + Kind.ITERATE);
        return done;
    }

    @Override
    public void saveLiveCompletePrecopy(SaveContext c) throws IOException {
        long before = c.out().bytesWritten();
        onComplete.run(iteration, lastThreshold);
        write(c.out(), completeBytes);
        record(Kind.COMPLETE, lastThreshold, 0, before);
    }

    /** Runs the onComplete hook too: the end of a handler that followed the switch. */
    @Override
    public void saveLiveCompletePostcopy(SaveContext c) throws IOException {
        long before = c.out().bytesWritten();
        onComplete.run(iteration, lastThreshold);
        write(c.out(), completeBytes);
        record(Kind.COMPLETE_POSTCOPY, lastThreshold, 0, before);
    }

    @Override
    public void saveCleanup() {
        record(Kind.CLEANUP, 0, 0, -1);
    }

    @Override
    public void loadState(LoadContext c, int versionId) {
        throw new UnsupportedOperationException("source-side test handler");
    }

    /** Records a call; {@code bytesBefore} -1 means "now", for calls that write nothing. */
    private void record(Kind kind, long threshold, long reported, long bytesBefore) {
        long now = ctx != null ? ctx.clock().nanoTime() : 0;
        long bytes = ctx != null ? ctx.out().bytesWritten() : 0;
        calls.add(new Call(kind, iteration, threshold, reported, now, bytesBefore < 0 ? bytes : bytesBefore, bytes));
        if (kind != Kind.ESTIMATE && kind != Kind.EXACT) {
            journal.add(name + ":" + kind);
        }
    }

    static void write(StreamOutput out, long n) throws IOException {
        while (n > 0) {
            int k = (int) Math.min(n, FILL.length);
            out.putBytes(FILL, 0, k);
            n -= k;
        }
    }

    // ------------------------------------------------------------ what happened

    public String name() {
        return name;
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> calls(Kind kind) {
        return calls.stream().filter(c -> c.kind() == kind).toList();
    }

    /** The iterations at which calls of this kind happened, in order. */
    public List<Integer> iterations(Kind kind) {
        return calls(kind).stream().map(Call::iteration).toList();
    }

    /** Whether the save context said post-copy at the last saveLiveIterate. */
    public boolean sawPostcopy() {
        return inPostcopy;
    }

    /** Iterations run so far (pendingEstimate calls). */
    public int iteration() {
        return iteration;
    }

    /** The iteration at which stop-copy began, or -1 if it never did. */
    public int completedAt() {
        return calls(Kind.COMPLETE).stream().mapToInt(Call::iteration).findFirst().orElse(-1);
    }

    /** The threshold passed to pendingEstimate at an iteration (1-based). */
    public long thresholdAt(int it) {
        return calls(Kind.ESTIMATE).get(it - 1).thresholdSize();
    }

    /** The clock when pendingEstimate ran at an iteration (1-based). */
    public long nanosAt(int it) {
        return calls(Kind.ESTIMATE).get(it - 1).nanos();
    }

    /** Payload sizes of the sections this handler wrote, in order: setup, parts, end. */
    public List<Long> payloadSizes() {
        return calls.stream()
                .filter(c -> c.kind() == Kind.SETUP || c.kind() == Kind.ITERATE || c.kind() == Kind.COMPLETE
                        || c.kind() == Kind.COMPLETE_POSTCOPY)
                .map(c -> c.bytesAfter() - c.bytesBefore())
                .toList();
    }
}

package io.godwit.migration;

import io.godwit.machine.Machine;
import io.godwit.machine.RunState;
import io.godwit.savevm.LoadContext;
import io.godwit.savevm.Pending;
import io.godwit.savevm.SaveContext;
import io.godwit.savevm.SaveVmHandler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A device that is not live: it has no pending figures and no iterations, and saves its state
 * once, in a FULL section at switchover. Records the machine's run state when it is saved.
 */
public final class FullStateHandler implements SaveVmHandler {
    private final String name;
    private final int stateBytes;
    private final Machine machine;
    private final List<String> journal;
    private final List<RunState> savedWhile = new ArrayList<>();
    private int pendingCalls;
    private int iterateCalls;

    public FullStateHandler(String name, int stateBytes, Machine machine, List<String> journal) {
        this.name = name;
        this.stateBytes = stateBytes;
        this.machine = machine;
        this.journal = journal;
    }

    @Override
    public boolean isLive() {
        return false;
    }

    @Override
    public void saveState(SaveContext ctx) throws IOException {
        savedWhile.add(machine.state());
        ScriptedHandler.write(ctx.out(), stateBytes);
        journal.add(name + ":STATE");
    }

    @Override
    public void pendingEstimate(long thresholdSize, Pending pending) {
        pendingCalls++;
    }

    @Override
    public boolean saveLiveIterate(SaveContext ctx) {
        iterateCalls++;
        return true;
    }

    @Override
    public void loadState(LoadContext ctx, int versionId) {
        throw new UnsupportedOperationException("source-side test handler");
    }

    public int stateBytes() {
        return stateBytes;
    }

    /** The machine's run state at each saveState call. */
    public List<RunState> savedWhile() {
        return List.copyOf(savedWhile);
    }

    public int pendingCalls() {
        return pendingCalls;
    }

    public int iterateCalls() {
        return iterateCalls;
    }
}

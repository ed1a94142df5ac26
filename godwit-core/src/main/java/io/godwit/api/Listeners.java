package io.godwit.api;

import io.godwit.machine.RunState;
import io.godwit.migration.MigrationInfo;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A node's listeners, and how run-state changes of its machine become their callbacks. Marks the
 * threads that are inside a callback, so the node can refuse what would wait for itself.
 */
final class Listeners {
    private static final System.Logger LOG = System.getLogger(Node.class.getName());
    private static final ThreadLocal<Boolean> IN_CALLBACK = ThreadLocal.withInitial(() -> false);

    private final String node;
    private final List<NodeListener> all = new CopyOnWriteArrayList<>();

    Listeners(String node) {
        this.node = node;
    }

    void add(NodeListener l) {
        all.add(java.util.Objects.requireNonNull(l, "listener"));
    }

    void remove(NodeListener l) {
        all.remove(l);
    }

    static boolean inCallback() {
        return IN_CALLBACK.get();
    }

    /**
     * The machine's run state changed (on the thread that changed it). Exceptions from stopped,
     * resumed and live go back to the engine, which fails the migration, as NodeListener says.
     */
    void runStateChanged(RunState from, RunState to) {
        if (from == RunState.RUNNING && (to == RunState.FINISH_MIGRATE || to == RunState.PAUSED)) {
            each(NodeListener::stopped);
        } else if (to == RunState.RUNNING && from == RunState.INMIGRATE) {
            each(NodeListener::live);
        } else if (to == RunState.RUNNING && from != RunState.PRELAUNCH) {
            each(NodeListener::resumed);
        }
    }

    private void each(Consumer<NodeListener> call) {
        boolean nested = IN_CALLBACK.get();
        IN_CALLBACK.set(true);
        try {
            for (NodeListener l : all) {
                call.accept(l);
            }
        } finally {
            IN_CALLBACK.set(nested);
        }
    }

    void throttled(int percent) {
        each(logged("throttled", l -> l.throttled(percent)));
    }

    void progress(MigrationInfo info) {
        each(logged("progress", l -> l.progress(info)));
    }

    /** On the node's own thread once the migration's thread has ended: nothing to guard against there. */
    void finished(MigrationInfo info) {
        all.forEach(logged("finished", l -> l.finished(info)));
    }

    /** For callbacks whose failure must not disturb the migration: logged, then the next listener. */
    private Consumer<NodeListener> logged(String what, Consumer<NodeListener> call) {
        return l -> {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "node " + node + ": a listener's " + what + " threw", e);
            }
        };
    }
}

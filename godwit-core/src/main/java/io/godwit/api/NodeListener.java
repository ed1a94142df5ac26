package io.godwit.api;

import io.godwit.migration.MigrationInfo;

/**
 * What a node tells the service that embeds it. Every method has an empty default; implement the
 * ones you need and add the listener with {@link Node#addListener}.
 *
 * <p>The order on a source: {@link #stopped} (switchover begins), then either the migration
 * completes ({@link #finished} with status {@code completed}; the node stays stopped for good) or
 * it fails or is cancelled after the stop ({@link #resumed}, then {@link #finished}). A migration
 * that fails or is cancelled before the switchover never stops the node: only {@link #finished}
 * is called. On a destination: {@link #live} once the state is loaded, then {@link #finished}.
 * {@link #progress} comes in between, on every status change and every pass over dirty memory.
 *
 * <p>Threads: {@link #stopped}, {@link #resumed}, {@link #live} and {@link #progress} run on the
 * migration's own thread (or, for a stop or continue asked over QMP, on that client's thread);
 * {@link #finished} runs on a thread of the node once the migration's thread has ended. Return
 * quickly from all but {@link #stopped}: the time spent there is downtime. An exception thrown
 * from {@link #progress} or {@link #finished} is logged and ignored. {@link #finished} may call
 * any method of the node (listen again, migrate again, close); the others must not call
 * {@link Node#migrateTo}, {@link Node#listen} or {@link Node#close}, which would wait for the
 * thread they run on.
 */
public interface NodeListener {

    /**
     * Source: the node is stopping for the switchover (or a management client stopped it). Called
     * on the migration thread before the last pass over dirty memory: before returning, the service
     * must have quiesced every writer of its regions and handlers, so nothing changes the state
     * until {@link #resumed}. Writes that land after this returns may be lost. The time spent here
     * counts into the downtime. Throwing fails the migration; the node then resumes.
     */
    default void stopped() {}

    /**
     * Source: a stopped node runs again because the migration failed or was cancelled after the
     * stop (or a management client continued it). The service owns its state again and may write.
     */
    default void resumed() {}

    /**
     * Destination: the state is loaded (regions hold the source's data, handlers have loaded
     * theirs) and the node runs: serve now. Called on the incoming thread before the source is told
     * that the destination runs, so the time spent here counts into the downtime. Throwing reports
     * the load as failed to the source, which resumes.
     */
    default void live() {}

    /**
     * Source, with capability auto-converge: the migration wants the service's writers slowed to
     * {@code 100 - percent} percent of their speed (QEMU sleeps a throttled vCPU {@code percent /
     * (100 - percent)} of every 10 ms it runs); called each time the throttle changes, and with 0
     * when the migration ends (completed, failed or cancelled): full speed again. Runs on the
     * migration thread: set a value the writers read and return. The node's own workload threads
     * (none in a plain service) are throttled by the engine itself.
     */
    default void throttled(int percent) {}

    /** Either side: the status changed or a pass over dirty memory ended; figures as query-migrate. */
    default void progress(MigrationInfo info) {}

    /** Either side: a migration ended (status completed, failed or cancelled), with its final figures. */
    default void finished(MigrationInfo info) {}
}

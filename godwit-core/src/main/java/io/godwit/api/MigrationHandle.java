package io.godwit.api;

import io.godwit.migration.IncomingMigration;
import io.godwit.migration.Migration;
import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One migration of a {@link Node}, out of it ({@link Node#migrateTo}) or into it
 * ({@link Node#listen}). It reports the figures of QEMU's {@code query-migrate} while the migration
 * runs, and completes once it has ended, whatever the outcome: a failure or a cancel is a status,
 * not an exception. Thread-safe.
 */
public final class MigrationHandle {
    /** Which way the state moves. */
    public enum Direction { OUTGOING, INCOMING }

    private final Direction direction;
    private final String target;
    private final CompletableFuture<MigrationInfo> done = new CompletableFuture<>();
    private volatile Migration outgoing;
    private volatile IncomingMigration incoming;

    private MigrationHandle(Direction direction, String target) {
        this.direction = direction;
        this.target = target;
    }

    static MigrationHandle outgoing(Migration m, String uri) {
        MigrationHandle h = new MigrationHandle(Direction.OUTGOING, uri);
        h.outgoing = m;
        return h;
    }

    static MigrationHandle incoming(String address) {
        return new MigrationHandle(Direction.INCOMING, address);
    }

    public Direction direction() {
        return direction;
    }

    /**
     * Outgoing: the URI migrated to. Incoming: the address listened on (a tcp port 0 becomes the
     * port chosen). Null for a migration a management client started over QMP.
     */
    public String target() {
        return target;
    }

    /** The figures now (the final ones once ended). Before a source connects, an incoming one is in setup. */
    public MigrationInfo info() {
        if (done.isDone()) {
            return done.join();
        }
        Migration m = outgoing;
        if (m != null) {
            return m.info();
        }
        IncomingMigration in = incoming;
        if (in != null) {
            return in.info();
        }
        return waiting(MigrationStatus.SETUP, null);
    }

    public MigrationStatus status() {
        return info().status();
    }

    /** True once the migration has ended. */
    public boolean isDone() {
        return done.isDone();
    }

    /**
     * Completes with the final figures when the migration has ended (status completed, failed or
     * cancelled); never exceptionally. Each call returns a new stage, so completing it changes nothing here.
     */
    public CompletableFuture<MigrationInfo> completion() {
        return done.copy();
    }

    /**
     * Waits for the end of the migration and returns its final figures; check
     * {@link MigrationInfo#completed()} and {@link MigrationInfo#errorDesc()}.
     *
     * @throws TimeoutException if it has not ended within {@code timeout}; it goes on
     */
    public MigrationInfo await(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("unreachable: the handle never completes exceptionally", e.getCause());
        }
    }

    /**
     * Cancels an outgoing migration that has not reached the point of no return (the end of the
     * stream); the source resumes if it had stopped. Returns false when there is nothing to cancel:
     * it has ended, it is too late (the destination may run), or it is incoming (cancel from the
     * source, or close the destination node).
     */
    public boolean cancel() {
        Migration m = outgoing;
        return m != null && !m.status().isTerminal() && m.cancel();
    }

    @Override
    public String toString() {
        return "MigrationHandle[" + direction + " " + target + ", " + status().qmpName + "]";
    }

    // ------------------------------------------------------------ the node's side

    Migration engineOutgoing() {
        return outgoing;
    }

    IncomingMigration engineIncoming() {
        return incoming;
    }

    void bind(IncomingMigration in) {
        incoming = in;
    }

    /** Blocks until the engine's migration has ended (the node watches on a thread of its own). */
    void awaitEngine() throws InterruptedException {
        Migration m = outgoing;
        IncomingMigration in = incoming;
        while (!(m != null ? m.await(1, TimeUnit.HOURS) : in.await(1, TimeUnit.HOURS))) {
            // keep waiting: a migration may run for hours
        }
    }

    MigrationInfo finalInfo() {
        Migration m = outgoing;
        IncomingMigration in = incoming;
        return m != null ? m.info() : in.info();
    }

    /** Completes the handle; false if it had completed already. */
    boolean finish(MigrationInfo info) {
        return done.complete(info);
    }

    static MigrationInfo waiting(MigrationStatus status, String error) {
        return new MigrationInfo(status, error, -1, -1, -1, -1, 0, null, List.of(), null);
    }
}

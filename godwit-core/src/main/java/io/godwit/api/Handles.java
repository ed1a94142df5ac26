package io.godwit.api;

import io.godwit.migration.IncomingMigration;
import io.godwit.migration.Migration;
import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationListener;
import io.godwit.migration.MigrationStatus;
import io.godwit.monitor.Monitor;

/**
 * A node's current migration handle, bound to the engine's migrations whoever started them (the
 * API or a QMP client), and the engine events that become progress and finished callbacks. The
 * handle is replaced under the node's lock; a virtual thread per migration waits for its end.
 */
final class Handles {
    private final String node;
    private final Monitor monitor;
    private final Listeners listeners;
    private final Object lock;
    private volatile MigrationHandle current;

    Handles(String node, Monitor monitor, Listeners listeners, Object lock) {
        this.node = node;
        this.monitor = monitor;
        this.listeners = listeners;
        this.lock = lock;
    }

    MigrationHandle current() {
        return current;
    }

    /** A destination started listening on {@code address}: a handle that a source's arrival binds. */
    MigrationHandle listening(String address) {
        synchronized (lock) {
            MigrationHandle h = MigrationHandle.incoming(address);
            current = h;
            return h;
        }
    }

    /** The handle of outgoing migration {@code m}, made once, whether the API or QMP started it. */
    MigrationHandle adoptOutgoing(Migration m, String uri) {
        synchronized (lock) {
            MigrationHandle h = current;
            if (h != null && h.engineOutgoing() == m) {
                return h;
            }
            h = MigrationHandle.outgoing(m, uri);
            current = h;
            watch(h);
            return h;
        }
    }

    private void adoptIncoming(IncomingMigration in) {
        synchronized (lock) {
            MigrationHandle h = current;
            if (h == null || h.direction() != MigrationHandle.Direction.INCOMING || h.engineIncoming() != null) {
                h = MigrationHandle.incoming(null); // migrate-incoming over QMP
                current = h;
            }
            h.bind(in);
            watch(h);
        }
    }

    private void watch(MigrationHandle h) {
        Thread.ofVirtual().name("godwit-node-" + node).start(() -> {
            try {
                h.awaitEngine();
            } catch (InterruptedException e) {
                return;
            }
            MigrationInfo info = h.finalInfo();
            if (h.finish(info)) {
                listeners.finished(info);
            }
        });
    }

    MigrationListener engineListener() {
        return new MigrationListener() {
            @Override
            public void statusChanged(MigrationStatus from, MigrationStatus to) {
                if (from == MigrationStatus.NONE && to == MigrationStatus.SETUP) {
                    bindNew();
                }
                progress();
            }

            @Override
            public void passCompleted(long count) {
                progress();
            }

            @Override
            public void incomingFailed(String address, String reason) {
                MigrationHandle h = current;
                if (h != null && h.direction() == MigrationHandle.Direction.INCOMING && h.engineIncoming() == null) {
                    MigrationInfo info = MigrationHandle.waiting(MigrationStatus.FAILED, address + ": " + reason);
                    if (h.finish(info)) {
                        listeners.finished(info);
                    }
                }
            }
        };
    }

    /** On the new migration's thread, as it enters setup: exactly one of the two is in setup now. */
    private void bindNew() {
        Migration m = monitor.outgoing();
        IncomingMigration in = monitor.incoming();
        if (m != null && m.status() == MigrationStatus.SETUP) {
            adoptOutgoing(m, null);
        } else if (in != null && in.status() == MigrationStatus.SETUP) {
            adoptIncoming(in);
        }
    }

    private void progress() {
        MigrationHandle h = current;
        if (h != null) {
            listeners.progress(h.info());
        }
    }
}

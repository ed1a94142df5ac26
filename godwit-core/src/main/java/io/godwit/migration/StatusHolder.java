package io.godwit.migration;

import io.godwit.trace.StateChangeEvent;
import io.godwit.trace.Trace;

/**
 * The status of one side of a migration. Changed only by that side's thread, through
 * {@link MigrationStatus#transition}; read by anyone. Each change is traced and heard.
 */
final class StatusHolder {
    private final String side;
    private final MigrationListener listener;
    private volatile MigrationStatus status = MigrationStatus.NONE;

    StatusHolder(String side, MigrationListener listener) {
        this.side = side;
        this.listener = listener;
    }

    MigrationStatus get() {
        return status;
    }

    void set(MigrationStatus to) {
        MigrationStatus from = status;
        status = MigrationStatus.transition(from, to);
        if (Trace.active()) {
            StateChangeEvent e = new StateChangeEvent();
            e.side = side;
            e.from = from.qmpName;
            e.to = to.qmpName;
            e.commit();
        }
        listener.statusChanged(from, to);
    }
}

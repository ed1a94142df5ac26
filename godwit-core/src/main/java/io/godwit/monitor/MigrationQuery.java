package io.godwit.monitor;

import io.godwit.migration.IncomingMigration;
import io.godwit.migration.Migration;
import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationStatus;
import java.util.List;

/**
 * query-migrate's answer: the outgoing migration if there was one, else the incoming one; while a
 * listener waits for a source with nothing received yet, status setup.
 */
final class MigrationQuery {
    private MigrationQuery() {}

    static MigrationInfo of(CurrentMigrations current, IncomingCommands incoming) {
        Migration m = current.outgoing;
        if (m != null) {
            return m.info();
        }
        IncomingMigration in = current.incoming;
        if (in != null && in.status() != MigrationStatus.NONE) {
            return in.info();
        }
        // accepted but not started yet counts as the listener's setup; a refused TLS session as failed
        String refused = incoming.refusal();
        MigrationStatus status = incoming.listening() || in != null ? MigrationStatus.SETUP
                : refused != null ? MigrationStatus.FAILED : MigrationStatus.NONE;
        return new MigrationInfo(status, status == MigrationStatus.FAILED ? refused : null, -1, -1, -1, -1, 0, null,
                List.of(), null);
    }
}

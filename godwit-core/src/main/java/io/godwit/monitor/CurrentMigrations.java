package io.godwit.monitor;

import io.godwit.migration.IncomingMigration;
import io.godwit.migration.Migration;

/**
 * The node's last outgoing migration and its last incoming one (once a source has connected).
 * Commands set them under the monitor's lock; migration, accept and query threads read them.
 */
final class CurrentMigrations {
    volatile Migration outgoing;
    volatile IncomingMigration incoming;

    /** Whether either migration is still under way (most settings cannot change then). */
    boolean active() {
        Migration m = outgoing;
        IncomingMigration in = incoming;
        return m != null && m.status().isActive() || in != null && in.status().isActive();
    }
}

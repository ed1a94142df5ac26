package io.godwit.migration;

/**
 * Hears what a migration does, for events (QMP MIGRATION, MIGRATION_PASS) and progress output.
 * Called on the migration's own threads: return quickly, never block.
 */
public interface MigrationListener {
    MigrationListener NONE = new MigrationListener() {};

    default void statusChanged(MigrationStatus from, MigrationStatus to) {}

    /** A pass over dirty memory completed; {@code count} is dirty-sync-count. */
    default void passCompleted(long count) {}

    /**
     * A destination stopped waiting for its source before any migration began (the listener was
     * closed or failed); {@code address} is where it listened.
     */
    default void incomingFailed(String address, String reason) {}
}

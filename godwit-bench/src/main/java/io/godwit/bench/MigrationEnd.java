package io.godwit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;

/**
 * Waits for a source's migration to end the way a management tool does: on its MIGRATION event
 * (capability {@code events}), then one query-migrate for the figures. Polling query-migrate
 * every few milliseconds instead made both Godwit's and QEMU's sources answer dozens of
 * commands while they were being measured, on cores the migration needs.
 */
final class MigrationEnd {
    private static final Set<String> FINAL = Set.of("completed", "failed", "cancelled");
    /** Without an event for this long, query-migrate says whether one was missed. */
    private static final Duration CHECK = Duration.ofSeconds(1);

    interface Qmp {
        JsonNode queryMigrate() throws IOException;

        /** The next MIGRATION event, or null after {@code timeout}. */
        JsonNode nextMigrationEvent(Duration timeout) throws InterruptedException;
    }

    /**
     * How long both sides are left alone once set up, before {@code migrate}: a fresh process is
     * still compiling what its set-up ran (the QMP server, the commands), on the cores the
     * migration is about to need; a destination set up ahead of its migration has done so.
     */
    static final Duration SETTLE = Duration.ofSeconds(1);

    private MigrationEnd() {}

    /** Waits {@link #SETTLE}. */
    static void settle() throws InterruptedException {
        Thread.sleep(SETTLE);
    }

    /** The source's query-migrate once its migration has a final status. */
    static JsonNode await(Qmp source) throws IOException, InterruptedException {
        while (true) {
            JsonNode e = source.nextMigrationEvent(CHECK);
            if (e == null || FINAL.contains(e.path("data").path("status").asText())) {
                JsonNode m = source.queryMigrate();
                if (FINAL.contains(m.path("status").asText())) {
                    return m;
                }
            }
        }
    }
}

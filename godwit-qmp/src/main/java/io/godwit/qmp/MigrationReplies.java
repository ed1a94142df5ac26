package io.godwit.qmp;

import io.godwit.migration.MigrationInfo;
import java.util.Map;

/** The query-migrate reply (and the MIGRATION figures the CLI prints) from a {@link MigrationInfo}. */
public final class MigrationReplies {
    private MigrationReplies() {}

    /** QEMU's keys, and only the keys QEMU shows in the snapshot's status. */
    public static Map<String, Object> of(MigrationInfo info) {
        return info.toQmp();
    }
}

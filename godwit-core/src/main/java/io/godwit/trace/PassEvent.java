package io.godwit.trace;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A pass over dirty memory completed: the dirty bitmap was synced (QEMU's MIGRATION_PASS). */
@Name("godwit.Pass")
@Label("Migration Pass")
@Category({"Godwit", "Migration"})
@StackTrace(false)
public final class PassEvent extends Event {
    @Label("Dirty Sync Count")
    public long dirtySyncCount;

    @Label("Remaining")
    @DataAmount
    public long remaining;

    @Label("Transferred")
    @DataAmount
    public long transferred;

    @Label("Dirty Pages Rate")
    @Description("Pages dirtied per second over the last sync period, as query-migrate's dirty-pages-rate")
    public long dirtyPagesRate;
}

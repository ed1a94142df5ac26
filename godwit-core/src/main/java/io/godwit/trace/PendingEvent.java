package io.godwit.trace;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * QEMU trace points migrate_pending_estimate and migrate_pending_exact: what the handlers
 * reported, and the threshold it was compared with.
 */
@Name("godwit.Pending")
@Label("Pending")
@Category({"Godwit", "Migration"})
@Description("Pending bytes reported by the handlers in one iteration")
@StackTrace(false)
public final class PendingEvent extends Event {
    @Label("Exact")
    @Description("False for the cheap estimate, true for the exact figure after a dirty sync")
    public boolean exact;

    @Label("Size")
    @DataAmount
    public long size;

    @Label("Must Precopy")
    @DataAmount
    public long mustPrecopy;

    @Label("Can Postcopy")
    @DataAmount
    public long canPostcopy;

    @Label("Threshold")
    @DataAmount
    public long thresholdSize;
}

package io.godwit.trace;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The switchover: from stopping the source until the destination runs. The event's own duration
 * spans it; the fields say what was decided and measured.
 */
@Name("godwit.Switchover")
@Label("Switchover")
@Category({"Godwit", "Migration"})
@StackTrace(false)
public final class SwitchoverEvent extends Event {
    @Label("Downtime")
    @Timespan(Timespan.MILLISECONDS)
    public long downtimeMs;

    @Label("Pending At Switch")
    @DataAmount
    public long pending;

    @Label("Threshold")
    @DataAmount
    public long thresholdSize;

    @Label("Downtime Bytes")
    @DataAmount
    public long downtimeBytes;
}

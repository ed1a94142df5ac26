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

    @Label("Fixed Cost Estimate (ms)")
    @jdk.jfr.Description("The fixed costs the threshold left out of downtime-limit when the switch was decided: "
            + "stop + link + flush + rest")
    public double fixedCostEstimateMs;

    @Label("Stop Estimate (ms)")
    public double stopEstimateMs;

    @Label("Link Estimate (ms)")
    public double linkEstimateMs;

    @Label("Flush Estimate (ms)")
    @jdk.jfr.Description("With multifd: the channels' last sync during pre-copy")
    public double flushEstimateMs;

    @Label("Rest Estimate (ms)")
    @jdk.jfr.Description("What the previous switch on this node cost beyond its stop, link and bytes")
    public double restEstimateMs;

    @Label("Stop (ms)")
    @jdk.jfr.Description("What stopping the machine took at this switch")
    public double stopMs;

    @Label("Rest (ms)")
    @jdk.jfr.Description("This switch's downtime less its stop, its link estimate and its bytes at the expected "
            + "bandwidth: what the next switch on this node counts as rest (negative: faster than expected)")
    public double restMs;
}

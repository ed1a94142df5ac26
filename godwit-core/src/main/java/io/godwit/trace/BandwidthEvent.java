package io.godwit.trace;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A bandwidth window closed and the threshold was recomputed (QEMU migrate_transferred). */
@Name("godwit.Bandwidth")
@Label("Bandwidth Window")
@Category({"Godwit", "Migration"})
@StackTrace(false)
public final class BandwidthEvent extends Event {
    @Label("Transferred")
    @DataAmount
    public long transferred;

    @Label("Time Spent (ms)")
    public long timeSpentMs;

    @Label("Bandwidth (bytes/ms)")
    public double bytesPerMs;

    @Label("Threshold")
    @DataAmount
    public long thresholdSize;
}

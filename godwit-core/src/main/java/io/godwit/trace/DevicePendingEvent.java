package io.godwit.trace;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A device answered a pending call (QEMU vfio_state_pending_estimate / _exact). */
@Name("godwit.DevicePending")
@Label("Device Pending")
@Category({"Godwit", "Device"})
@StackTrace(false)
public final class DevicePendingEvent extends Event {
    @Label("Device")
    public String device;

    @Label("Policy")
    public String policy;

    @Label("Exact")
    public boolean exact;

    @Label("Initial Bytes")
    @DataAmount
    public long initialBytes;

    @Label("Dirty Bytes")
    @DataAmount
    public long dirtyBytes;

    @Label("Reported Must Precopy")
    @DataAmount
    public long mustPrecopy;

    @Label("Destination Load Time")
    @Timespan(Timespan.NANOSECONDS)
    public long loadNanos;

    @Label("Threshold")
    @DataAmount
    public long thresholdSize;
}

package io.godwit.trace;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** The throttle trigger fired (QEMU's migration_throttle trace point): auto-converge or dirty-limit. */
@Name("godwit.Throttle")
@Label("Writers Throttled")
@Category({"Godwit", "Migration"})
@StackTrace(false)
public final class ThrottleEvent extends Event {
    @Label("CPU Throttle Percentage")
    @Description("auto-converge: the throttle set now; 0 for dirty-limit")
    public int cpuThrottlePercentage;

    @Label("Dirty Limit")
    @Description("dirty-limit: MiB/s each writer thread may dirty; 0 for auto-converge")
    public long dirtyLimitMb;

    @Label("Bytes Dirtied In Period")
    @DataAmount
    public long bytesDirtyPeriod;

    @Label("Trigger Threshold")
    @DataAmount
    public long bytesDirtyThreshold;
}

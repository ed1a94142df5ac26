package io.godwit.trace;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One handler's share of the stop-copy phase: the event spans the time the source spent writing
 * that handler's last section with the machine stopped (QEMU's savevm complete and state calls).
 */
@Name("godwit.SwitchoverPart")
@Label("Switchover Part")
@Category({"Godwit", "Migration"})
@StackTrace(false)
public final class SwitchoverPartEvent extends Event {
    @Label("Section")
    public String idstr;

    @Label("Instance")
    public int instanceId;

    @Label("Kind")
    public String kind;

    @Label("Bytes")
    @DataAmount
    public long bytes;
}

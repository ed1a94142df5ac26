package io.godwit.trace;

import jdk.jfr.Category;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A device changed migration state (QEMU trace point vfio_migration_set_state). */
@Name("godwit.DeviceState")
@Label("Device State Change")
@Category({"Godwit", "Device"})
@StackTrace(false)
public final class DeviceStateEvent extends Event {
    @Label("Device")
    public String device;

    @Label("From")
    public String from;

    @Label("To")
    public String to;
}

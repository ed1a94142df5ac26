package io.godwit.trace;

import jdk.jfr.Category;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A migration changed state (QEMU trace point migrate_set_state). */
@Name("godwit.StateChange")
@Label("Migration State Change")
@Category({"Godwit", "Migration"})
@StackTrace(false)
public final class StateChangeEvent extends Event {
    @Label("Side")
    public String side;

    @Label("From")
    public String from;

    @Label("To")
    public String to;
}

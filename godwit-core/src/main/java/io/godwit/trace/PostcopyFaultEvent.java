package io.godwit.trace;

import jdk.jfr.Category;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * On the destination in post-copy: a thread waited for a page that had not arrived. The latency
 * is a field (the wait is measured by the page tracker, then reported here once it is over).
 */
@Name("godwit.PostcopyFault")
@Label("Post-copy Page Wait")
@Category({"Godwit", "Migration"})
@StackTrace(false)
public final class PostcopyFaultEvent extends Event {
    @Label("Latency")
    @Timespan(Timespan.MICROSECONDS)
    public long latencyUs;
}

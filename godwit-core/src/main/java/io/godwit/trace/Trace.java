package io.godwit.trace;

import jdk.jfr.FlightRecorder;

/**
 * Guards event creation. The first JFR event class to load costs the JVM about 150 ms; without a
 * flight recorder there is no recording to commit to, so events are skipped until one exists.
 */
public final class Trace {
    private Trace() {}

    /** True once the flight recorder has started (a recording exists or existed). */
    public static boolean active() {
        return FlightRecorder.isInitialized();
    }
}

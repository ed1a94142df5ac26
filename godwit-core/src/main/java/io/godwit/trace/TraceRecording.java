package io.godwit.trace;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;

/**
 * A flight recording of Godwit's events only, written to a file when it is closed (or when the JVM
 * exits first). {@code godwit run --trace} and the demo use it; {@code godwit report} reads it.
 */
public final class TraceRecording implements AutoCloseable {
    /** Every event class Godwit commits. */
    static final List<Class<? extends jdk.jfr.Event>> EVENTS = List.of(BandwidthEvent.class, DevicePendingEvent.class,
            DeviceStateEvent.class, PassEvent.class, PendingEvent.class, SettingsEvent.class, StateChangeEvent.class,
            SwitchoverEvent.class, SwitchoverPartEvent.class, ThrottleEvent.class);

    private final Recording recording;

    private TraceRecording(Recording recording) {
        this.recording = recording;
    }

    /** Starts recording Godwit's events into {@code file}. */
    public static TraceRecording start(Path file) throws IOException {
        Recording r = new Recording();
        r.setName("godwit");
        for (Class<? extends jdk.jfr.Event> e : EVENTS) {
            r.enable(e).withoutStackTrace();
        }
        r.setToDisk(true);
        r.setDestination(file);
        r.setDumpOnExit(true);
        r.start();
        return new TraceRecording(r);
    }

    /** Stops the recording; its events are then in the file. */
    @Override
    public void close() {
        if (recording.getState() == jdk.jfr.RecordingState.RUNNING) {
            recording.stop(); // with a destination, stopping writes the file
        }
        recording.close();
    }
}

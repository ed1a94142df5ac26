package io.godwit.device;

import io.godwit.vcpu.Workload;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * A device with its own migration protocol, after the VFIO migration v2 uAPI: a state machine
 * (see {@link DeviceState}), a data stream read on the source in the saving states and written on
 * the destination in RESUMING, and the size queries. Subclasses supply the state itself.
 *
 * <p>State changes are serialised on the device; the data stream is used by one thread at a time
 * (the migration thread on the source, the incoming thread on the destination).
 */
public abstract class MigratableDevice {
    private final String id;
    private final boolean p2p;
    private final List<BiConsumer<DeviceState, DeviceState>> listeners = new CopyOnWriteArrayList<>();
    private volatile DeviceState state = DeviceState.RUNNING;

    protected MigratableDevice(String id, boolean p2p) {
        if (id.isEmpty() || id.contains("/")) {
            throw new IllegalArgumentException("device id must be non-empty and contain no '/': '" + id + "'");
        }
        this.id = id;
        this.p2p = p2p;
    }

    public String id() {
        return id;
    }

    /** Whether the device has the RUNNING_P2P and PRE_COPY_P2P states. */
    public boolean p2p() {
        return p2p;
    }

    public DeviceState state() {
        return state;
    }

    /** Hears every state change (from, to), on the thread that made it. */
    public void onStateChange(BiConsumer<DeviceState, DeviceState> l) {
        listeners.add(l);
    }

    /**
     * Moves to {@code to}. A state that is not one arc away is reached through the uAPI's arcs,
     * one at a time, as the kernel does for a combined request. A failure leaves the device in
     * ERROR.
     */
    public synchronized void setState(DeviceState to) {
        if (to == DeviceState.ERROR) {
            throw new IllegalStateException("ERROR cannot be requested; a device enters it when a change fails");
        }
        if (state == DeviceState.ERROR) {
            throw new IllegalStateException("device " + id + " is in ERROR; reset it first");
        }
        for (DeviceState step : DeviceState.path(state, to, p2p)) {
            arc(step);
        }
    }

    /** Takes exactly one arc; refuses anything else, naming both states. */
    public synchronized void step(DeviceState to) {
        arc(to);
    }

    private void arc(DeviceState to) {
        DeviceState from = state;
        DeviceState.transition(from, to, p2p);
        try {
            if (!from.isSaving() && to.isSaving()) {
                startSaving(to == DeviceState.STOP_COPY);
            } else if (from.isSaving() && !to.isSaving()) {
                endSaving();
            }
            if (to == DeviceState.RESUMING) {
                startResuming();
            } else if (from == DeviceState.RESUMING) {
                endResuming();
            }
        } catch (RuntimeException e) {
            state = DeviceState.ERROR;
            listeners.forEach(l -> l.accept(from, DeviceState.ERROR));
            throw new IllegalStateException("device " + id + ": " + from + " -> " + to + " failed: " + e.getMessage(), e);
        }
        state = to;
        listeners.forEach(l -> l.accept(from, to));
    }

    /** Back to RUNNING after an ERROR (VFIO_DEVICE_RESET); the data sessions are dropped. */
    public synchronized void reset() {
        DeviceState from = state;
        discardSessions();
        state = DeviceState.RUNNING;
        listeners.forEach(l -> l.accept(from, DeviceState.RUNNING));
    }

    protected void requireState(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("device " + id + ": " + what + " is not allowed in state " + state);
        }
    }

    // ----------------------------------------------------------- the source

    /**
     * A data session starts: from now on the device hands out its state. {@code stopCopy} when it
     * starts straight in STOP_COPY (no pre-copy).
     */
    protected abstract void startSaving(boolean stopCopy);

    /** The session ends (STOP_COPY -> STOP, or PRE_COPY -> RUNNING when the migration failed). */
    protected abstract void endSaving();

    /**
     * Reads the next bytes of the device state into {@code buf}. Returns how many; 0 means nothing
     * more for now in PRE_COPY (the uAPI's ENOMSG), or the end of the state in STOP_COPY.
     */
    public final int read(ByteBuffer buf) {
        requireState(state.isSaving(), "reading the data stream");
        return readState(buf);
    }

    protected abstract int readState(ByteBuffer buf);

    /** VFIO_MIG_GET_PRECOPY_INFO: only in the pre-copy states. */
    public final PrecopyInfo precopyInfo() {
        requireState(state.isPrecopy(), "VFIO_MIG_GET_PRECOPY_INFO");
        return pendingState();
    }

    protected abstract PrecopyInfo pendingState();

    /**
     * Whether the device has the pre-copy states (the uAPI's VFIO_MIGRATION_PRE_COPY). Without
     * them it stays RUNNING during pre-copy and hands out all its state at stop-copy, which its
     * handler reports as pending (QEMU adds the stop-copy size to must-precopy).
     */
    public boolean precopySupported() {
        return true;
    }

    /** VFIO_DEVICE_FEATURE_MIG_DATA_SIZE: what stop-copy would still have to send now. */
    public abstract long stopCopySize();

    /** How long the destination needs to load {@code bytes} of this device's state. */
    public long loadNanos(long bytes) {
        return 0;
    }

    // ------------------------------------------------------ the destination

    protected abstract void startResuming();

    /** RESUMING -> STOP: everything has been written; the state must be complete. */
    protected abstract void endResuming();

    /** Writes stream bytes into the device (may block: the device loads as it goes). */
    public final void write(ByteBuffer buf) {
        requireState(state == DeviceState.RESUMING, "writing the data stream");
        writeState(buf);
    }

    protected abstract void writeState(ByteBuffer buf);

    // ------------------------------------------------------------- common

    /** Drops any half-done session (after a failure). */
    protected abstract void discardSessions();

    /** A SHA-256 of the device's state, for verification. */
    public abstract byte[] digest();

    /** Work the device does on its own while the machine runs, or null. */
    public Workload activity() {
        return null;
    }

    /** A short description for messages and query-migrate. */
    public abstract String describe();
}

package io.godwit.device;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A device with no state of its own that records which hooks ran and can be told to fail one. */
final class ProbeDevice extends MigratableDevice {
    final List<String> hooks = new ArrayList<>();
    private String failOn;
    private byte[] data = new byte[0]; // handed out once by the next read of the data stream

    ProbeDevice(String id, boolean p2p) {
        super(id, p2p);
    }

    /** The next call of {@code hook} throws. */
    ProbeDevice failOn(String hook) {
        this.failOn = hook;
        return this;
    }

    /** The next read of the data stream gives {@code bytes}, the ones after it nothing. */
    ProbeDevice withData(byte[] bytes) {
        this.data = bytes.clone();
        return this;
    }

    /** Drives the device into ERROR through a failing RESUMING -> STOP. */
    ProbeDevice broken() {
        setState(DeviceState.RESUMING);
        failOn("endResuming");
        try {
            setState(DeviceState.STOP);
        } catch (IllegalStateException expected) {
            // the device is now in ERROR
        }
        hooks.clear();
        return this;
    }

    private void hook(String name) {
        hooks.add(name);
        if (name.equals(failOn)) {
            failOn = null;
            throw new IllegalArgumentException(name + " failed on purpose");
        }
    }

    @Override
    protected void startSaving(boolean stopCopy) {
        hook(stopCopy ? "startSaving(stop-copy)" : "startSaving");
    }

    @Override
    protected void endSaving() {
        hook("endSaving");
    }

    @Override
    protected int readState(ByteBuffer buf) {
        int n = data.length;
        buf.put(data);
        data = new byte[0];
        return n;
    }

    @Override
    protected PrecopyInfo pendingState() {
        return new PrecopyInfo(0, 0);
    }

    @Override
    public long stopCopySize() {
        return 0;
    }

    @Override
    protected void startResuming() {
        hook("startResuming");
    }

    @Override
    protected void endResuming() {
        hook("endResuming");
    }

    @Override
    protected void writeState(ByteBuffer buf) {
        buf.position(buf.limit());
    }

    @Override
    protected void discardSessions() {
        hook("discardSessions");
    }

    @Override
    public byte[] digest() {
        return new byte[32];
    }

    @Override
    public String describe() {
        return "probe";
    }
}

package io.godwit.migration;

import io.godwit.device.MigratableDevice;
import io.godwit.device.PrecopyInfo;
import java.nio.ByteBuffer;

/**
 * A device with initial data and nothing else: it hands out at most {@code perRead} bytes per
 * read, so its initial data takes many iterations to leave, and it never dirties anything.
 */
public final class InitialDataDevice extends MigratableDevice {
    private final int perRead;
    private volatile long initialLeft;

    public InitialDataDevice(String id, long initial, int perRead) {
        super(id, false);
        this.initialLeft = initial;
        this.perRead = perRead;
    }

    /** Initial bytes not read yet. */
    public long initialLeft() {
        return initialLeft;
    }

    @Override
    protected void startSaving(boolean stopCopy) {}

    @Override
    protected void endSaving() {}

    @Override
    protected int readState(ByteBuffer buf) {
        int n = (int) Math.min(Math.min(perRead, initialLeft), buf.remaining());
        buf.put(new byte[n]);
        initialLeft -= n;
        return n;
    }

    @Override
    protected PrecopyInfo pendingState() {
        return new PrecopyInfo(initialLeft, 0);
    }

    @Override
    public long stopCopySize() {
        return initialLeft;
    }

    @Override
    protected void startResuming() {}

    @Override
    protected void endResuming() {}

    @Override
    protected void writeState(ByteBuffer buf) {
        buf.position(buf.limit());
    }

    @Override
    protected void discardSessions() {}

    @Override
    public byte[] digest() {
        return new byte[32];
    }

    @Override
    public String describe() {
        return "initial-data";
    }
}

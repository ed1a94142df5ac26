package io.godwit.device;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A device whose state is a byte array sent in order: the first {@code precopy} bytes in
 * pre-copy (on the main stream), the rest at stop-copy. The destination writes at a cursor, so
 * bytes loaded out of order, twice or not at all give another digest. A destination copy can be
 * told to fail at a byte, and to wait in its first write from a load thread until all devices
 * sharing its {@link Overlap} are inside theirs.
 */
final class BlobDevice extends MigratableDevice {
    /** Load threads seen writing, and the meeting point that proves they write at the same time. */
    static final class Overlap {
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        final CountDownLatch inside;

        Overlap(int devices) {
            inside = new CountDownLatch(devices);
        }
    }

    private final byte[] state;
    private final int precopy;
    private int cursor;
    private long failAt = -1;
    private Overlap overlap;
    private boolean met;

    BlobDevice(String id, int size, int precopy, long seed) {
        super(id, false);
        this.state = new byte[size];
        this.precopy = precopy;
        if (seed != 0) {
            new SplittableRandom(seed).nextBytes(state);
        }
    }

    BlobDevice failAt(long offset) {
        this.failAt = offset;
        return this;
    }

    BlobDevice overlap(Overlap o) {
        this.overlap = o;
        return this;
    }

    @Override
    protected void startSaving(boolean stopCopy) {
        cursor = 0;
    }

    @Override
    protected void endSaving() {}

    @Override
    protected int readState(ByteBuffer buf) {
        int end = state().isPrecopy() ? precopy : state.length;
        int n = Math.min(buf.remaining(), end - cursor);
        buf.put(state, cursor, n);
        cursor += n;
        return n;
    }

    @Override
    protected PrecopyInfo pendingState() {
        return new PrecopyInfo(Math.max(0, precopy - cursor), 0);
    }

    @Override
    public long stopCopySize() {
        return state.length - cursor;
    }

    @Override
    protected void startResuming() {
        cursor = 0;
    }

    @Override
    protected void endResuming() {
        if (cursor != state.length) {
            throw new IllegalStateException("device " + id() + ": " + cursor + " of " + state.length + " bytes loaded");
        }
    }

    @Override
    protected void writeState(ByteBuffer buf) {
        if (overlap != null && Thread.currentThread().getName().startsWith("godwit-device-load-")) {
            overlap.threads.add(Thread.currentThread().getName());
            meet();
        }
        int n = buf.remaining();
        if (cursor + n > state.length) {
            throw new IllegalArgumentException("device " + id() + ": " + (cursor + n) + " bytes past its " + state.length);
        }
        if (failAt >= 0 && cursor + n > failAt) {
            throw new IllegalArgumentException("device " + id() + " refused its state at byte " + failAt + " on purpose");
        }
        buf.get(state, cursor, n);
        cursor += n;
    }

    private void meet() {
        if (met) {
            return;
        }
        met = true;
        overlap.inside.countDown();
        try {
            if (!overlap.inside.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the other devices' load threads never wrote while this one did");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    protected void discardSessions() {
        cursor = 0;
    }

    @Override
    public byte[] digest() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(state);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String describe() {
        return "blob " + state.length + " bytes, " + precopy + " in pre-copy";
    }
}

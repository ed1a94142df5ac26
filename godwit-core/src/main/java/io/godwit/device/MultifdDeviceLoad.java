package io.godwit.device;

import io.godwit.stream.ByteArraySource;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * A device's stop-copy state as the destination takes it from the multifd channels (QEMU 10.0
 * vfio_multifd_load_state_buffer and vfio_load_bufs_thread): the channels' threads hand in
 * buffers in any order; a load thread of the device's own writes them into the device in index
 * order, and ends with the configuration buffer. Bounds: a buffer at most {@link #MAX_AHEAD}
 * past the next to load, at most {@link #HARD_LIMIT} bytes waiting (refused beyond); a channel
 * waits while {@link #SOFT_LIMIT} bytes wait and the load thread has work, so a slow device
 * holds back the source instead of filling memory.
 */
final class MultifdDeviceLoad {
    static final int MAX_AHEAD = 1024;
    static final long SOFT_LIMIT = 64L << 20;
    static final long HARD_LIMIT = 256L << 20;

    private final MigratableDevice device;
    private final String name;
    private final DeviceLoadThreads group;
    private final Object lock = new Object();
    // Guarded by lock.
    private final Map<Integer, byte[]> waiting = new HashMap<>();
    private long waitingBytes;
    private int next;
    private int last = -1;
    private boolean loading;
    private boolean started;
    private boolean finished;
    private boolean aborted;
    private String failure;
    private int loaded;
    private Thread thread;

    MultifdDeviceLoad(MigratableDevice device, DeviceLoadThreads group) {
        this.device = device;
        this.name = "device " + device.id();
        this.group = group;
    }

    String name() {
        return name;
    }

    /** From a channel thread: checks the buffer and keeps it for the load thread. */
    void offer(byte[] packet, String where) throws IOException, InterruptedException {
        StateBuffer b;
        try {
            b = StateBuffer.parse(packet, name);
        } catch (IOException e) {
            throw new IOException(where + ": " + e.getMessage(), e);
        }
        synchronized (lock) {
            while (waitingBytes >= SOFT_LIMIT && (loading || waiting.containsKey(next)) && !aborted && failure == null) {
                lock.wait();
            }
            String refusal = refusal(b, packet.length);
            if (refusal != null) {
                throw new IOException(where + ": " + name + ": " + refusal);
            }
            if (b.config()) {
                last = b.index();
            }
            waiting.put(b.index(), packet);
            waitingBytes += packet.length;
            lock.notifyAll();
        }
    }

    /** Why {@code b} cannot be kept, or null; called with the lock held. */
    private String refusal(StateBuffer b, int length) {
        int i = b.index();
        if (failure != null || aborted) {
            return "its load has stopped" + (failure != null ? ": " + failure : "");
        }
        if (i < next || waiting.containsKey(i)) {
            return "state buffer " + i + " received twice";
        }
        if (last >= 0 && (b.config() || i > last)) {
            return (b.config() ? "a second configuration buffer " : "state buffer ") + i
                    + " after the configuration buffer " + last + " that ends the state";
        }
        if (b.config() && waiting.keySet().stream().anyMatch(k -> k > i)) {
            return "configuration buffer " + i + " before buffers with higher indexes";
        }
        if (i - next >= MAX_AHEAD) {
            return "state buffer " + i + " is " + (i - next) + " past the next one to load (" + next
                    + "); expected fewer than " + MAX_AHEAD;
        }
        if (waitingBytes + length > HARD_LIMIT) {
            return "state buffer " + i + " would make " + (waitingBytes + length) + " bytes waiting to be loaded;"
                    + " expected at most " + HARD_LIMIT;
        }
        return null;
    }

    /** The switchover point: the main stream has brought all pre-copy data, so the load thread starts. */
    void start() {
        synchronized (lock) {
            if (started) {
                return;
            }
            started = true;
        }
        thread = Thread.ofPlatform().name("godwit-device-load-" + device.id()).start(this::run);
    }

    private void run() {
        try {
            while (true) {
                byte[] p = take();
                if (p == null) {
                    return;
                }
                StateBuffer b = StateBuffer.parse(p, name);
                if (b.config()) {
                    loadConfig(p, b.offset());
                    break;
                }
                device.write(ByteBuffer.wrap(p, b.offset(), p.length - b.offset()));
                synchronized (lock) {
                    loading = false;
                    loaded++;
                    next++;
                    lock.notifyAll();
                }
            }
            synchronized (lock) {
                loading = false;
                finished = true;
                lock.notifyAll();
            }
            group.changed();
        } catch (Throwable t) {
            fail("loading state buffer " + next + " failed: "
                    + (t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName()));
        }
    }

    /** The next buffer in index order, waiting for it; null once aborted. */
    private byte[] take() throws InterruptedException {
        synchronized (lock) {
            while (!waiting.containsKey(next) && !aborted) {
                lock.wait();
            }
            if (aborted) {
                return null;
            }
            byte[] p = waiting.remove(next);
            waitingBytes -= p.length;
            loading = true;
            lock.notifyAll();
            return p;
        }
    }

    private void loadConfig(byte[] p, int offset) throws IOException {
        StreamInput in = new StreamInput(new ByteArraySource(java.util.Arrays.copyOfRange(p, offset, p.length)));
        DeviceRecord r = new DeviceRecordReader(name).next(in);
        if (!(r instanceof DeviceRecord.Config c)) {
            throw new IOException("configuration buffer holds " + r.getClass().getSimpleName() + "; expected CONFIG");
        }
        if (!c.description().equals(device.describe())) {
            throw new IOException("configuration differs: source '" + c.description() + "', here '"
                    + device.describe() + "'");
        }
        if (in.hasMore()) {
            throw new IOException("bytes after the configuration in its buffer");
        }
    }

    private void fail(String why) {
        synchronized (lock) {
            if (failure == null) {
                failure = why;
            }
            loading = false;
            lock.notifyAll();
        }
        group.changed();
    }

    /** The migration ends without this load finished: the thread stops, and is waited for. */
    void abort() {
        synchronized (lock) {
            aborted = true;
            lock.notifyAll();
        }
        Thread t = thread;
        if (t != null) {
            try {
                t.join(); // a write under way ends first: the device is not left written to by two threads
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** For the group: null while all is well, else why this load cannot complete. */
    String problem(boolean channelsEnded) {
        synchronized (lock) {
            if (failure != null) {
                return name + ": " + failure;
            }
            if (channelsEnded && !finished && !loading && !waiting.containsKey(next)) {
                return name + ": the multifd channels ended before state buffer " + next
                        + (started ? "" : " (and the main stream never reached its stop-copy section)");
            }
            return null;
        }
    }

    boolean finished() {
        synchronized (lock) {
            return finished;
        }
    }

    boolean started() {
        synchronized (lock) {
            return started;
        }
    }

    /** Buffers of state written into the device so far (not counting the configuration). */
    int buffersLoaded() {
        synchronized (lock) {
            return loaded;
        }
    }
}

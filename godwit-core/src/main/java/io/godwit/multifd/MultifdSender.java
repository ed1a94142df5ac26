package io.godwit.multifd;

import static io.godwit.stream.StreamConstants.RAM_FLAG_MULTIFD_FLUSH;

import io.godwit.options.MultifdParameters;
import io.godwit.options.MultifdParameters.ZeroPageDetection;
import io.godwit.ram.RamBlock;
import io.godwit.ram.RamChannels;
import io.godwit.stream.StreamOutput;
import io.godwit.transport.Connection;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The source's multifd channels (QEMU multifd_send_*). The migration thread fills a batch with
 * pages of one block and hands it to the channels in turn; at a sync point it hands every channel
 * a SYNC marker and waits until each has written its SYNC packet, then, unless the destination
 * syncs at each section's end, writes MULTIFD_FLUSH on the main stream (QEMU 8.0+). A channel
 * that fails fails the migration at the migration thread's next hand-over or sync.
 */
public final class MultifdSender implements RamChannels.Sender, AutoCloseable {
    private static final long POLL_MS = 100;

    private final MultifdParameters params;
    private final SendChannel[] channels;
    private final boolean direct; // every channel writes pages straight from RAM
    private final BlockingQueue<Batch> free;
    private final AtomicLong bytes = new AtomicLong();
    private final Object lock = new Object();
    private final long[] synced; // per channel, the last sync sequence it wrote; guarded by lock
    private final java.util.concurrent.atomic.AtomicInteger nextForDevices = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicLong deviceUnwritten = new AtomicLong(); // device buffers queued, not yet written
    private volatile IOException failure;
    private volatile boolean shut;

    /** The migration thread while it waits for room in any channel's queue, else null. */
    private volatile Thread waiter;

    // Migration thread only.
    private Batch current;
    private int next;
    private long packetNum;
    private long syncSeq;

    private MultifdSender(List<Connection> conns, MultifdParameters params) {
        this.params = params;
        this.channels = new SendChannel[conns.size()];
        for (int i = 0; i < channels.length; i++) {
            channels[i] = new SendChannel(i, conns.get(i), this, PageCodec.forSending(params));
        }
        boolean all = true;
        for (SendChannel c : channels) {
            all &= c.direct();
        }
        this.direct = all;
        this.synced = new long[channels.length];
        this.free = new ArrayBlockingQueue<>(channels.length * (SendChannel.QUEUE + 1) + 1);
        while (free.remainingCapacity() > 0) {
            free.add(new Batch());
        }
    }

    /** Sends each channel's init message (ids in list order, the given uuid) and starts its thread. */
    public static MultifdSender start(List<Connection> conns, MultifdParameters params, byte[] uuid)
            throws IOException {
        MultifdSender s = new MultifdSender(conns, params);
        for (SendChannel c : s.channels) {
            c.start(new InitMessage(uuid, c.id));
        }
        return s;
    }

    /** The first channel's failure (its number and reason), or null. */
    private volatile long lastSyncNanos;

    public IOException failure() {
        return failure;
    }

    /** Bytes written on the channels so far (packets and data). */
    public long bytesSent() {
        return bytes.get();
    }

    @Override
    public boolean carriesZeroPages() {
        return params.zeroPageDetection() == ZeroPageDetection.MULTIFD;
    }

    @Override
    public boolean sendsZeroPagesAsData() {
        return params.zeroPageDetection() == ZeroPageDetection.NONE;
    }

    @Override
    public MemorySegment queue(RamBlock block, long offset, MemorySegment bytes) throws IOException {
        if (current != null && (current.block != block || current.full())) {
            handOver();
        }
        if (current == null) {
            current = take();
            current.block = block;
        }
        // the channels write from RAM unless a tracker must see the very bytes sent, or they compress
        return current.add(offset, bytes, !direct || block.tracker().wantsSentPages());
    }

    /**
     * Queues one device buffer ({@code data[0..size)}, kept by the channel from now on) as a
     * device state packet on the next channel in turn (QEMU multifd_queue_device_state). Any
     * thread may call it: each device's save thread does, beside the migration thread's pages.
     */
    public void queueDeviceState(String idstr, int instanceId, byte[] data, int size) throws IOException {
        Batch b = Batch.deviceState(new DeviceStatePacket(idstr, instanceId, size), data);
        deviceUnwritten.incrementAndGet();
        put(channels[Math.floorMod(nextForDevices.getAndIncrement(), channels.length)], b);
    }

    /**
     * Waits until every device buffer queued so far is written on its channel, so that the
     * migration does not end (and close the channels) with device state still queued.
     */
    public void awaitDeviceStateWritten() throws IOException {
        synchronized (lock) {
            while (deviceUnwritten.get() > 0) {
                check();
                try {
                    lock.wait(POLL_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while multifd channels wrote device state", e);
                }
            }
        }
    }

    private Batch take() throws IOException {
        try {
            while (true) {
                check();
                Batch b = free.poll(POLL_MS, TimeUnit.MILLISECONDS);
                if (b != null) {
                    b.clear();
                    return b;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for a multifd channel", e);
        }
    }

    /**
     * Hands the batch to the next channel in turn that has room in its queue, as QEMU gives a
     * packet to the next idle channel: a channel the scheduler left behind then does not hold up
     * the others, which strict turns would leave idle while the migration thread waits for it.
     */
    private void handOver() throws IOException {
        Batch b = current;
        current = null;
        b.packetNum = packetNum++;
        waiter = Thread.currentThread();
        try {
            while (true) {
                for (int k = 0; k < channels.length; k++) {
                    int i = (next + k) % channels.length;
                    if (channels[i].queue.offer(b)) {
                        next = (i + 1) % channels.length;
                        check();
                        return;
                    }
                }
                check();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MS)); // a channel's take unparks
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while handing pages to the multifd channels");
                }
            }
        } finally {
            waiter = null;
        }
    }

    /** From a channel's thread, after it took a batch: its queue has room for the migration thread. */
    void tookBatch() {
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    private void put(SendChannel c, Batch b) throws IOException {
        try {
            while (!c.queue.offer(b, POLL_MS, TimeUnit.MILLISECONDS)) {
                check();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while handing pages to multifd channel " + c.id, e);
        }
        check();
    }

    private void check() throws IOException {
        IOException f = failure;
        if (f != null) {
            throw new IOException(f.getMessage(), f);
        }
        if (shut) {
            throw new IOException("multifd channels shut down");
        }
    }

    /** Hands out what is batched, then a SYNC to every channel, and waits until all have written it. */
    private void flushAndSync() throws IOException {
        long begin = System.nanoTime();
        flushAndSyncNow();
        lastSyncNanos = System.nanoTime() - begin;
    }

    /**
     * How long the last sync of the channels took (handing out the batch, draining the queues,
     * writing the SYNC packets), in real nanoseconds; 0 before the first. The final flush of a
     * switch costs about as much: the migration counts it among the switch's fixed costs.
     */
    public long lastSyncNanos() {
        return lastSyncNanos;
    }

    private void flushAndSyncNow() throws IOException {
        if (current != null && current.count() > 0) {
            handOver();
        }
        long seq = ++syncSeq;
        for (SendChannel c : channels) {
            put(c, Batch.sync(seq, packetNum++));
        }
        synchronized (lock) {
            while (!allSynced(seq)) {
                check();
                try {
                    lock.wait(POLL_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while syncing multifd channels", e);
                }
            }
        }
    }

    private boolean allSynced(long seq) {
        for (long s : synced) {
            if (s < seq) {
                return false;
            }
        }
        return true;
    }

    private void flushRecord(StreamOutput main) throws IOException {
        if (!params.flushAfterEachSection()) {
            main.putBe64(RAM_FLAG_MULTIFD_FLUSH);
            main.flush(); // the destination's channels wait at the sync until the main stream gets here
        }
    }

    @Override
    public void setupEnd(StreamOutput main) throws IOException {
        flushAndSync();
        flushRecord(main);
    }

    @Override
    public void iterationEnd(StreamOutput main) throws IOException {
        if (params.flushAfterEachSection()) {
            flushAndSync();
        }
    }

    @Override
    public void roundEnd(StreamOutput main) throws IOException {
        if (!params.flushAfterEachSection()) {
            flushAndSync();
            flushRecord(main);
        }
    }

    @Override
    public void completeEnd(StreamOutput main) throws IOException {
        flushAndSync();
        flushRecord(main);
    }

    // ------------------------------------------------------------ channel threads

    void sent(SendChannel c, Batch b, long n) {
        bytes.addAndGet(n);
        if (b.isSync()) {
            synchronized (lock) {
                synced[c.id] = b.syncSeq;
                lock.notifyAll();
            }
        } else if (b.isDeviceState()) {
            deviceUnwritten.decrementAndGet();
            synchronized (lock) {
                lock.notifyAll();
            }
        } else {
            free.offer(b);
        }
    }

    void failed(SendChannel c, IOException e) {
        synchronized (lock) {
            if (failure == null && !shut) {
                failure = new IOException("multifd channel " + c.id + " (" + c.conn.uri() + ") failed: "
                        + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e);
            }
            lock.notifyAll();
        }
    }

    /** From any thread (a cancel): closes every channel, which fails what is under way. */
    public void shutdown() {
        shut = true;
        for (SendChannel c : channels) {
            c.conn.shutdown();
        }
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** Stops the threads once they have written what they hold, and closes the channels. */
    @Override
    public void close() {
        shut = true; // the channels' ends from here on are no failure
        for (SendChannel c : channels) {
            if (!c.queue.offer(SendChannel.STOP)) {
                c.conn.shutdown(); // full: its thread is stuck or dead, so nothing it holds matters now
                c.queue.clear();
                c.queue.offer(SendChannel.STOP);
            }
        }
        for (SendChannel c : channels) {
            try {
                c.join();
                c.conn.close();
            } catch (InterruptedException | IOException e) {
                c.conn.shutdown();
            }
        }
    }
}

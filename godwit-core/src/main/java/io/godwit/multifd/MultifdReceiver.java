package io.godwit.multifd;

import io.godwit.options.MultifdParameters;
import io.godwit.ram.RamBlock;
import io.godwit.ram.RamChannels;
import io.godwit.transport.Connection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The destination's multifd channels (QEMU multifd_recv_*): one thread per channel writes pages
 * into RAM; the incoming thread, at each of the main stream's sync points, waits until every
 * channel has reached its SYNC packet, then lets them all go on. A sync point is a MULTIFD_FLUSH
 * record, or each section's end when the source never sent one before its first EOS (QEMU 7.2,
 * or multifd-flush-after-each-section). A channel that fails closes every channel, so the source
 * hears of it; the load fails with the channel's error at its next sync point, or when the source
 * drops the main stream. The main stream is left open so a SHUT can still tell the source; only a
 * source silent for {@link #STOP_MAIN_AFTER_MS} has its reading side shut.
 */
public final class MultifdReceiver implements RamChannels.Receiver, AutoCloseable {
    /** How long a load may go on reading the main stream after a channel failed. */
    static final long STOP_MAIN_AFTER_MS = 5_000;
    /** How long a main stream that ended waits for the channels to say why (see {@link #settle}). */
    public static final long SETTLE_MS = 2_000;

    private final List<RecvChannel> channels = new ArrayList<>();
    private final int count;
    private final Supplier<List<RamBlock>> blocks;
    private final Runnable stopMain;
    private final Map<String, RamBlock> byName = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Object lock = new Object();
    // Guarded by lock.
    private final long[] syncsSeen;
    private final boolean[] ended;
    private final boolean[] idsSeen;
    private final boolean[] atSync; // a channel waiting for the main stream's sync point reads nothing
    private byte[] uuid;
    private long mainSyncs;
    private IOException failure;
    private String earlyEnd; // the first channel the source closed while the load was still under way
    private boolean closed;
    // Incoming thread only.
    private boolean flushSeen;
    private volatile DeviceStateSink deviceSink;

    /**
     * @param conns the channels, in the order they connected
     * @param blocks the destination's RAM blocks (read again for a name not yet seen: a blank
     *     destination adopts blocks as the main stream lists them)
     * @param stopMain ends the main stream's load (a source silent after a channel failed)
     */
    public MultifdReceiver(List<Connection> conns, MultifdParameters params, Supplier<List<RamBlock>> blocks,
            Runnable stopMain) {
        this.count = conns.size();
        this.blocks = blocks;
        this.stopMain = stopMain;
        int flag = switch (params.compression()) {
            case NONE -> MultifdWire.FLAG_NOCOMP;
            case ZLIB -> MultifdWire.FLAG_ZLIB;
            case ZSTD -> MultifdWire.FLAG_ZSTD;
        };
        for (int i = 0; i < conns.size(); i++) {
            channels.add(new RecvChannel(i, conns.get(i), this, flag));
        }
        syncsSeen = new long[count];
        ended = new boolean[count];
        idsSeen = new boolean[count];
        atSync = new boolean[count];
    }

    /** Where device state packets go (before {@link #start}); without one they are refused. */
    public void setDeviceStateSink(DeviceStateSink sink) {
        this.deviceSink = sink;
    }

    DeviceStateSink deviceStateSink() {
        return deviceSink;
    }

    public void start() {
        for (RecvChannel c : channels) {
            threads.add(Thread.ofPlatform().name("godwit-multifd-recv-" + c.index).start(c));
        }
    }

    int channels() {
        return count;
    }

    long blockSize(String name) {
        RamBlock b = block(name);
        return b == null ? -1 : b.size();
    }

    RamBlock block(String name) {
        RamBlock b = byName.get(name);
        if (b == null) {
            for (RamBlock r : blocks.get()) {
                byName.putIfAbsent(r.name(), r);
            }
            b = byName.get(name);
        }
        return b;
    }

    /** The first failure of a channel, or null. */
    public IOException failure() {
        synchronized (lock) {
            return failure;
        }
    }

    /** Whether every channel has ended (closed by the source, or failed). */
    public boolean allEnded() {
        synchronized (lock) {
            for (boolean e : ended) {
                if (!e) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The first channel that ended while this receiver was open (the load under way), or null. */
    public String earlyEnd() {
        synchronized (lock) {
            return earlyEnd;
        }
    }

    /**
     * The main stream ended under the load: the source closes its channels when it stops, and the
     * channel that broke first is the cause, but its thread may not have read the end yet. Waits,
     * at most {@code timeoutMs}, until a channel failed or every channel has ended or waits at a
     * sync point (where it reads nothing), so {@link #failure} and {@link #earlyEnd} name it.
     */
    public void settle(long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        synchronized (lock) {
            long left;
            while (failure == null && !closed && !allQuiet() && (left = deadline - System.nanoTime()) > 0) {
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private boolean allQuiet() {
        for (int i = 0; i < count; i++) {
            if (!ended[i] && !atSync[i]) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------ incoming thread

    @Override
    public void flushRecord() throws IOException {
        flushSeen = true;
        syncMain();
    }

    @Override
    public void endOfSection() throws IOException {
        if (!flushSeen) {
            syncMain();
        }
    }

    private void syncMain() throws IOException {
        synchronized (lock) {
            long target = mainSyncs + 1;
            while (!allReached(target)) {
                if (failure != null) {
                    throw new IOException(failure.getMessage(), failure);
                }
                for (int i = 0; i < count; i++) {
                    if (ended[i] && syncsSeen[i] < target) {
                        throw new IOException(channels.get(i).where() + " closed before the sync point of the"
                                + " main stream");
                    }
                }
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while syncing multifd channels", e);
                }
            }
            mainSyncs = target;
            lock.notifyAll();
        }
    }

    private boolean allReached(long target) {
        return Arrays.stream(syncsSeen).allMatch(s -> s >= target);
    }

    // ------------------------------------------------------------ channel threads

    void introduced(RecvChannel c, InitMessage m) throws IOException {
        synchronized (lock) {
            if (idsSeen[m.id()]) {
                throw new IOException("multifd: a second channel with id " + m.id());
            }
            idsSeen[m.id()] = true;
            if (uuid == null) {
                uuid = m.uuid();
            } else if (!Arrays.equals(uuid, m.uuid())) {
                throw new IOException("multifd: channel " + m.id() + " has uuid " + m.uuidText()
                        + "; the others " + new InitMessage(uuid, 0).uuidText());
            }
        }
    }

    void syncReceived(RecvChannel c) throws InterruptedException, IOException {
        synchronized (lock) {
            long mine = ++syncsSeen[c.index];
            atSync[c.index] = true;
            lock.notifyAll();
            try {
                while (mainSyncs < mine && failure == null && !closed) { // pages after it wait for the main stream
                    lock.wait();
                }
            } finally {
                atSync[c.index] = false;
            }
            if (failure != null || closed) {
                throw new IOException(c.where() + ": stopped while waiting for the main stream's sync point");
            }
        }
    }

    void ended(RecvChannel c) {
        synchronized (lock) {
            ended[c.index] = true;
            if (earlyEnd == null && !closed) {
                earlyEnd = c.where() + " was closed by the source";
            }
            lock.notifyAll();
        }
    }

    void failed(RecvChannel c, IOException e) {
        boolean first;
        synchronized (lock) {
            first = failure == null && !closed;
            if (first) {
                String m = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
                failure = new IOException(m.startsWith("multifd") ? m : c.where() + ": " + m, e);
            }
            ended[c.index] = true;
            lock.notifyAll();
        }
        if (first) {
            for (RecvChannel other : channels) {
                other.conn.shutdown(); // the source's channels fail at their next write, as with QEMU
            }
            Thread.ofVirtual().start(this::stopMainIfStillLoading);
        }
    }

    private void stopMainIfStillLoading() {
        synchronized (lock) {
            long deadline = System.nanoTime() + STOP_MAIN_AFTER_MS * 1_000_000;
            long left;
            while (!closed && (left = deadline - System.nanoTime()) > 0) {
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (closed) {
                return;
            }
        }
        stopMain.run();
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        for (RecvChannel c : channels) {
            c.conn.shutdown();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

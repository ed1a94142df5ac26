package io.godwit.reference.device;

import io.godwit.device.PrecopyInfo;
import io.godwit.device.MigratableDevice;
import io.godwit.machine.Machine;
import io.godwit.vcpu.Workload;
import io.godwit.vcpu.WorkloadPacer;
import io.godwit.util.bitset.AtomicBitSet;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * A device with a set amount of state, a set rate at which its state changes while it runs, and
 * a set rate at which a destination can load it: the destination really waits that long for each
 * byte it loads, as a device that must process its state would. Its state is off-heap memory in
 * 4 KiB blocks; the initial data is one pass over all of it, dirty data is blocks changed after
 * that pass read them. The stream is records of be64 offset, be32 length, bytes.
 */
public final class SyntheticDevice extends MigratableDevice {
    static final int BLOCK = 4096;
    private static final int RECORD_HEADER = 12;

    private final long size;
    private final long dirtyRate;
    private final long loadRate;
    private final MemorySegment memory;
    private final AtomicBitSet written;
    private volatile boolean precopy = true;

    // Saving session: the migration thread's.
    private boolean saving;
    private long cursor;
    private long[] toSend;
    private int sendWord;

    // Resuming session: the incoming thread's.
    private final ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER);
    private long recordOffset;
    private long recordLeft;
    private long loadDeadline;
    private boolean loadStarted;

    /**
     * @param size bytes of state, a multiple of 4 KiB
     * @param dirtyRate bytes per second of state changed while the device runs (0: none)
     * @param loadRate bytes per second a destination loads (0: no cost)
     */
    public SyntheticDevice(String id, long size, long dirtyRate, long loadRate, boolean p2p, long seed) {
        super(id, p2p);
        if (size <= 0 || size % BLOCK != 0) {
            throw new IllegalArgumentException("device size must be a positive multiple of 4096: " + size);
        }
        if (dirtyRate < 0 || loadRate < 0) {
            throw new IllegalArgumentException("rates must not be negative");
        }
        this.size = size;
        this.dirtyRate = dirtyRate;
        this.loadRate = loadRate;
        this.memory = Arena.ofAuto().allocate(size, BLOCK); // zeroed, so first touch is paid here
        this.written = new AtomicBitSet(size / BLOCK);
        if (seed != 0) {
            SplittableRandom r = new SplittableRandom(seed);
            for (long off = 0; off < size; off += 8) {
                memory.set(ValueLayout.JAVA_LONG, off, r.nextLong());
            }
        }
    }

    public long size() {
        return size;
    }

    /** Without pre-copy (a device without VFIO_MIGRATION_PRE_COPY): all its state goes at stop-copy. */
    public SyntheticDevice precopy(boolean supported) {
        this.precopy = supported;
        return this;
    }

    @Override
    public boolean precopySupported() {
        return precopy;
    }

    @Override
    public String describe() {
        return "synthetic " + size + " bytes, dirty " + dirtyRate + " B/s, load " + loadRate + " B/s";
    }

    // ----------------------------------------------------------- the source

    @Override
    protected void startSaving(boolean stopCopy) {
        saving = true;
        cursor = 0;
        sendWord = 0;
        toSend = new long[(int) ((size / BLOCK + 63) / 64)];
        written.drainInto(new long[toSend.length], null); // the first pass reads everything anyway
    }

    @Override
    protected void endSaving() {
        saving = false;
        toSend = null;
    }

    /** Takes new marks; blocks the first pass has not reached yet will be read fresh anyway. */
    private long dirtyBytes() {
        written.drainInto(toSend, null);
        long ahead = cursor / BLOCK;
        long n = 0;
        for (int w = 0; w < toSend.length; w++) {
            long base = (long) w << 6;
            if (base >= ahead) {
                toSend[w] = 0;
            } else if (base + 64 > ahead) {
                toSend[w] &= -1L >>> (64 - (ahead - base));
            }
            n += Long.bitCount(toSend[w]);
        }
        return n * BLOCK;
    }

    @Override
    protected PrecopyInfo pendingState() {
        return new PrecopyInfo(size - cursor, dirtyBytes());
    }

    @Override
    public long stopCopySize() {
        return saving ? size - cursor + dirtyBytes() : size;
    }

    @Override
    protected int readState(ByteBuffer buf) {
        int start = buf.position();
        if (cursor < size) {
            long n = Math.min(size - cursor, (long) (buf.remaining() - RECORD_HEADER) / BLOCK * BLOCK);
            if (n > 0) {
                record(buf, cursor, n);
                cursor += n;
            }
            return buf.position() - start;
        }
        dirtyBytes();
        while (sendWord < toSend.length && buf.remaining() >= RECORD_HEADER + BLOCK) {
            long bits = toSend[sendWord];
            if (bits == 0) {
                sendWord++;
                continue;
            }
            int first = Long.numberOfTrailingZeros(bits);
            int run = Long.numberOfTrailingZeros(~(bits >>> first)); // adjacent dirty blocks
            run = Math.min(run, (buf.remaining() - RECORD_HEADER) / BLOCK);
            long mask = (run == 64 ? -1L : ((1L << run) - 1)) << first;
            toSend[sendWord] = bits & ~mask;
            record(buf, (((long) sendWord << 6) + first) * BLOCK, (long) run * BLOCK);
        }
        if (sendWord >= toSend.length) {
            sendWord = 0; // next time, look again from the start for new marks
        }
        return buf.position() - start;
    }

    private void record(ByteBuffer buf, long offset, long len) {
        buf.putLong(offset).putInt((int) len);
        MemorySegment.copy(memory, offset, MemorySegment.ofBuffer(buf), 0, len); // the view starts at position
        buf.position(buf.position() + (int) len);
    }

    @Override
    public long loadNanos(long bytes) {
        return loadRate == 0 ? 0 : (long) (bytes * 1e9 / loadRate);
    }

    // ------------------------------------------------------ the destination

    @Override
    protected void startResuming() {
        header.clear();
        recordLeft = 0;
        loadStarted = false;
    }

    @Override
    protected void endResuming() {
        if (recordLeft > 0 || header.position() > 0) {
            throw new IllegalStateException("device " + id() + ": stream ended inside a record");
        }
    }

    @Override
    protected void writeState(ByteBuffer buf) {
        while (buf.hasRemaining()) {
            if (recordLeft == 0) {
                while (header.hasRemaining() && buf.hasRemaining()) {
                    header.put(buf.get());
                }
                if (header.hasRemaining()) {
                    return;
                }
                recordOffset = header.getLong(0);
                recordLeft = header.getInt(8) & 0xffffffffL;
                header.clear();
                if (recordOffset < 0 || recordOffset % BLOCK != 0 || recordLeft > size - recordOffset) {
                    throw new IllegalArgumentException("device " + id() + ": record at " + recordOffset + " of "
                            + recordLeft + " bytes outside the state of " + size + " bytes");
                }
            }
            int n = (int) Math.min(recordLeft, buf.remaining());
            MemorySegment.copy(MemorySegment.ofBuffer(buf), 0, memory, recordOffset, n); // view starts at position
            buf.position(buf.position() + n);
            recordOffset += n;
            recordLeft -= n;
            pace(n);
        }
    }

    /**
     * The destination's load cost: a real wait, paced to the load rate over the session from its
     * first write on (a device whose state all comes at stop-copy gets no credit for the time
     * before).
     */
    private void pace(long bytes) {
        if (loadRate == 0) {
            return;
        }
        if (!loadStarted) {
            loadStarted = true;
            loadDeadline = System.nanoTime();
        }
        loadDeadline += loadNanos(bytes);
        long wait;
        while ((wait = loadDeadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    @Override
    protected void discardSessions() {
        saving = false;
        toSend = null;
        header.clear();
        recordLeft = 0;
    }

    @Override
    public byte[] digest() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(memory.asByteBuffer());
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Changes random blocks at the dirty rate while the machine runs. */
    @Override
    public Workload activity() {
        if (dirtyRate == 0) {
            return null;
        }
        return new Workload() {
            private final SplittableRandom random = new SplittableRandom(id().hashCode());

            @Override
            public String name() {
                return id() + "-activity";
            }

            @Override
            public void step(WorkloadPacer pacer) {
                long due = pacer.due(dirtyRate / (double) BLOCK, 1024);
                for (long i = 0; i < due; i++) {
                    long block = random.nextLong(size / BLOCK);
                    memory.set(ValueLayout.JAVA_LONG, block * BLOCK + (random.nextInt(BLOCK / 8) << 3), random.nextLong());
                    written.mark(block);
                }
                pacer.did(due);
            }
        };
    }
}

package io.godwit.reference.device;

import io.godwit.device.PrecopyInfo;
import io.godwit.device.MigratableDevice;
import io.godwit.machine.Machine;
import io.godwit.vcpu.Workload;
import io.godwit.vcpu.WorkloadPacer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A key-value store exposed as a device. Its initial data is a snapshot of the table taken when
 * pre-copy starts; its dirty data is the log of mutations since. The destination loads both into
 * an empty store, rebuilding the ordered index as it goes, which is the load's real cost. Records:
 * u8 op (1 put, 2 remove), u16 key length, key, and for a put be32 value length and value.
 */
public final class KvDevice extends MigratableDevice {
    private static final int PUT = 1;
    private static final int REMOVE = 2;
    private static final int MAX_VALUE = 64 << 10;

    private final KvStore store = new KvStore();
    private final int keys;
    private final int valueSize;
    private final double loadNanosPerByte;

    // Saving session: the snapshot is the migration thread's; the log is shared with writers.
    private List<KvStore.Mutation> snapshot;
    private int snapshotNext;
    private long snapshotBytes;
    private final ArrayDeque<KvStore.Mutation> log = new ArrayDeque<>();
    private long logBytes; // guarded by log

    // Resuming session: the incoming thread's.
    private ByteBuffer partial = ByteBuffer.allocate(0);

    /**
     * @param keys how many entries the table starts with (and the key space of its writer)
     * @param valueSize bytes per value
     */
    public KvDevice(String id, int keys, int valueSize, boolean p2p, long seed) {
        super(id, p2p);
        if (keys < 0 || valueSize <= 0 || valueSize > MAX_VALUE) {
            throw new IllegalArgumentException("kv device needs keys >= 0 and 1 <= value size <= 65536");
        }
        this.keys = keys;
        this.valueSize = valueSize;
        SplittableRandom r = new SplittableRandom(seed);
        byte[] v = new byte[valueSize];
        for (int i = 0; i < keys; i++) {
            r.nextBytes(v);
            store.put(key(i), v);
        }
        this.loadNanosPerByte = calibrate();
    }

    public KvStore store() {
        return store;
    }

    static String key(long i) {
        return String.format("key-%09d", i);
    }

    @Override
    public String describe() {
        return "kv " + keys + " keys, values of " + valueSize + " bytes";
    }

    private static int recordSize(KvStore.Mutation m) {
        int k = m.key().getBytes(StandardCharsets.UTF_8).length;
        return 1 + 2 + k + (m.value() == null ? 0 : 4 + m.value().length);
    }

    // ----------------------------------------------------------- the source

    @Override
    protected void startSaving(boolean stopCopy) {
        synchronized (log) {
            log.clear();
            logBytes = 0;
        }
        snapshot = store.snapshotAndLog(m -> {
            synchronized (log) {
                log.add(m);
                logBytes += recordSize(m);
            }
        });
        snapshotNext = 0;
        snapshotBytes = 0;
        for (KvStore.Mutation m : snapshot) {
            snapshotBytes += recordSize(m);
        }
    }

    @Override
    protected void endSaving() {
        store.snapshotAndLog(null);
        snapshot = null;
        synchronized (log) {
            log.clear();
            logBytes = 0;
        }
    }

    @Override
    protected PrecopyInfo pendingState() {
        synchronized (log) {
            return new PrecopyInfo(snapshotBytes, logBytes);
        }
    }

    @Override
    public long stopCopySize() {
        if (snapshot == null) {
            long all = 0;
            for (KvStore.Mutation m : store.entries()) {
                all += recordSize(m);
            }
            return all;
        }
        synchronized (log) {
            return snapshotBytes + logBytes;
        }
    }

    @Override
    protected int readState(ByteBuffer buf) {
        int start = buf.position();
        while (snapshotNext < snapshot.size() && fits(buf, snapshot.get(snapshotNext))) {
            KvStore.Mutation m = snapshot.get(snapshotNext++);
            snapshotBytes -= recordSize(m);
            encode(buf, m);
        }
        if (snapshotNext == snapshot.size()) {
            synchronized (log) {
                while (!log.isEmpty() && fits(buf, log.peek())) {
                    KvStore.Mutation m = log.poll();
                    logBytes -= recordSize(m);
                    encode(buf, m);
                }
            }
        }
        return buf.position() - start;
    }

    private static boolean fits(ByteBuffer buf, KvStore.Mutation m) {
        return buf.remaining() >= recordSize(m);
    }

    private static void encode(ByteBuffer buf, KvStore.Mutation m) {
        byte[] k = m.key().getBytes(StandardCharsets.UTF_8);
        buf.put((byte) (m.value() == null ? REMOVE : PUT)).putShort((short) k.length).put(k);
        if (m.value() != null) {
            buf.putInt(m.value().length).put(m.value());
        }
    }

    @Override
    public long loadNanos(long bytes) {
        return (long) (bytes * loadNanosPerByte);
    }

    /** Measures what loading costs here: rebuilding a scratch store from encoded records. */
    private double calibrate() {
        KvStore scratch = new KvStore();
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        byte[] v = new byte[valueSize];
        int n = 0;
        while (buf.remaining() >= 32 + valueSize && n < 20_000) {
            encode(buf, new KvStore.Mutation(key(n++), v));
        }
        buf.flip();
        long bytes = buf.remaining();
        long t0 = System.nanoTime();
        decode(buf, scratch);
        return Math.max(1e-3, (System.nanoTime() - t0) / (double) Math.max(1, bytes));
    }

    // ------------------------------------------------------ the destination

    @Override
    protected void startResuming() {
        store.clear();
        partial = ByteBuffer.allocate(0);
    }

    @Override
    protected void endResuming() {
        if (partial.hasRemaining()) {
            throw new IllegalStateException("device " + id() + ": stream ended inside a record");
        }
    }

    @Override
    protected void writeState(ByteBuffer buf) {
        ByteBuffer all = buf;
        if (partial.hasRemaining()) {
            all = ByteBuffer.allocate(partial.remaining() + buf.remaining()).put(partial).put(buf).flip();
        }
        decode(all, store);
        partial = ByteBuffer.allocate(all.remaining()).put(all).flip(); // an incomplete record waits
    }

    /** Applies every whole record in {@code buf}; leaves an incomplete one unread. */
    private static void decode(ByteBuffer buf, KvStore into) {
        while (buf.remaining() >= 3) {
            int mark = buf.position();
            int op = buf.get() & 0xff;
            int klen = buf.getShort() & 0xffff;
            if (op != PUT && op != REMOVE) {
                throw new IllegalArgumentException("kv record with op " + op + "; expected 1 (put) or 2 (remove)");
            }
            if (buf.remaining() < klen + (op == PUT ? 4 : 0)) {
                buf.position(mark);
                return;
            }
            byte[] k = new byte[klen];
            buf.get(k);
            byte[] v = null;
            if (op == PUT) {
                int vlen = buf.getInt();
                if (vlen < 0 || vlen > MAX_VALUE) {
                    throw new IllegalArgumentException("kv record with a value of " + vlen + " bytes");
                }
                if (buf.remaining() < vlen) {
                    buf.position(mark);
                    return;
                }
                v = new byte[vlen];
                buf.get(v);
            }
            into.apply(new KvStore.Mutation(new String(k, StandardCharsets.UTF_8), v));
        }
    }

    @Override
    protected void discardSessions() {
        store.snapshotAndLog(null);
        snapshot = null;
        partial = ByteBuffer.allocate(0);
    }

    @Override
    public byte[] digest() {
        return store.digest();
    }

    /** A writer of the table: {@code rate} mutations per second, nine puts for every removal. */
    public Workload writer(long rate, long seed) {
        return new Workload() {
            private final SplittableRandom random = new SplittableRandom(seed);
            private final byte[] value = new byte[valueSize];

            @Override
            public String name() {
                return id() + "-writer:" + rate;
            }

            @Override
            public void step(WorkloadPacer pacer) {
                long due = pacer.due(rate, 1024);
                long space = Math.max(1, keys + keys / 5);
                for (long i = 0; i < due; i++) {
                    String k = key(random.nextLong(space));
                    if (random.nextInt(10) == 0) {
                        store.remove(k);
                    } else {
                        random.nextBytes(value);
                        store.put(k, value);
                    }
                }
                pacer.did(due);
            }
        };
    }
}

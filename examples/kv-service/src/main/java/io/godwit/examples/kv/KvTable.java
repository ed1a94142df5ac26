package io.godwit.examples.kv;

import io.godwit.api.Region;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A key-value table that lives entirely in a region, written with plain segment stores: nothing
 * about it is on the heap, so the region is the whole state and a migrated region is a migrated
 * table. The first page is a header; then come buckets of one 4 KiB page each, 16 slots of 256
 * bytes. A key's hash picks its bucket and the key takes the first free slot there.
 *
 * <p>Slot layout: u16 key length (0: free), u16 value length, u32 key hash, u64 version, 48 bytes
 * of key, 192 bytes of value. A lock per bucket orders readers and writers of that bucket.
 * Writers call {@link #put} only while the service admits them (see {@link ServeGate}).
 */
public final class KvTable {
    public static final int MAX_KEY = 48;
    public static final int MAX_VALUE = 192;
    static final int PAGE = 4096;
    static final int SLOT = 256;
    public static final int SLOTS_PER_BUCKET = PAGE / SLOT;
    private static final long MAGIC = 0x4b56544257444f47L; // "GODWBTVK": a table lives here
    private static final int KEY_OFF = 16;
    private static final int VALUE_OFF = KEY_OFF + MAX_KEY;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG;

    private final Region region;
    private final MemorySegment seg;
    private final int buckets;
    private final Object[] locks;
    private final boolean markWrites;
    private volatile PageSnapshot snapshot;

    /** A table over {@code region}; {@link #format()} it on the node that starts with it. */
    public KvTable(Region region) {
        if (region.size() < 2 * PAGE) {
            throw new IllegalArgumentException("a table needs at least two pages, not " + region.size() + " bytes");
        }
        this.region = region;
        this.seg = region.segment();
        this.buckets = (int) Math.min(Integer.MAX_VALUE, region.size() / PAGE - 1);
        this.locks = new Object[Math.min(buckets, 1 << 16)];
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
        // Only explicit tracking needs to be told of stores; the kernel and hash trackers find them.
        this.markWrites = region.needsMarks();
    }

    /** Writes the header of an empty table (a new region is zero: every slot is free). */
    public void format() {
        seg.set(U64, 0, MAGIC);
        seg.set(U32, 8, SLOT);
        seg.set(U64, 16, buckets);
        written(0, 24);
    }

    /** True when the region holds a table (its header is there): after a format or a migration. */
    public boolean formatted() {
        return seg.get(U64, 0) == MAGIC && seg.get(U32, 8) == SLOT && seg.get(U64, 16) == buckets;
    }

    public int buckets() {
        return buckets;
    }

    /** A value and its version (1 for the first write of a key). */
    public record Entry(byte[] value, long version) {}

    /** The entry for {@code key}, or null. */
    public Entry get(byte[] key) {
        checkKey(key);
        int hash = hash(key);
        long bucket = bucketOffset(hash);
        synchronized (lock(hash)) {
            long slot = find(bucket, key, hash);
            if (slot < 0) {
                return null;
            }
            int len = Short.toUnsignedInt(seg.get(U16, slot + 2));
            byte[] v = new byte[Math.min(len, MAX_VALUE)];
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, slot + VALUE_OFF, v, 0, v.length);
            return new Entry(v, seg.get(U64, slot + 8));
        }
    }

    /**
     * Stores {@code value} under {@code key} and returns the new version.
     *
     * @throws TableFullException when the key's bucket has no free slot
     */
    public long put(byte[] key, byte[] value) {
        checkKey(key);
        if (value.length > MAX_VALUE) {
            throw new IllegalArgumentException("value of " + value.length + " bytes; at most " + MAX_VALUE);
        }
        int hash = hash(key);
        long bucket = bucketOffset(hash);
        synchronized (lock(hash)) {
            PageSnapshot snap = snapshot;
            if (snap != null) {
                snap.beforeWrite(bucket / PAGE); // under the bucket's lock, before any store
            }
            long slot = find(bucket, key, hash);
            long version;
            if (slot >= 0) {
                version = seg.get(U64, slot + 8) + 1;
            } else {
                slot = free(bucket);
                version = 1;
                MemorySegment.copy(key, 0, seg, ValueLayout.JAVA_BYTE, slot + KEY_OFF, key.length);
                seg.set(U32, slot + 4, hash);
                seg.set(U16, slot, (short) key.length); // last: the slot is taken once the key is there
            }
            MemorySegment.copy(value, 0, seg, ValueLayout.JAVA_BYTE, slot + VALUE_OFF, value.length);
            seg.set(U16, slot + 2, (short) value.length);
            seg.set(U64, slot + 8, version);
            written(slot, SLOT);
            return version;
        }
    }

    /**
     * From now on, keeps the table as it is now (see {@link PageSnapshot}) in {@code buffer}, as
     * large as the region. Call it while no writer runs.
     */
    public void startSnapshot(MemorySegment buffer) {
        snapshot = new PageSnapshot(seg, buffer);
    }

    /** SHA-256 of the table as it was at {@link #startSnapshot}, or null without one; writers may run. */
    public String snapshotSha256() {
        PageSnapshot snap = snapshot;
        if (snap == null) {
            return null;
        }
        MessageDigest md = sha256();
        md.update(snap.page(0).asByteBuffer()); // the header: written only by format()
        for (int b = 0; b < buckets; b++) {
            synchronized (locks[b % locks.length]) {
                md.update(snap.page(b + 1L).asByteBuffer());
            }
        }
        long end = PAGE + (long) buckets * PAGE; // a region's tail that holds no whole bucket
        if (end < seg.byteSize()) {
            md.update(seg.asSlice(end).asByteBuffer());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Pages written since {@link #startSnapshot} (0 without one). */
    public long snapshotPagesCopied() {
        PageSnapshot snap = snapshot;
        return snap == null ? 0 : snap.pagesCopied();
    }

    /** Free slots in the bucket of {@code key}. */
    public int freeSlots(byte[] key) {
        checkKey(key);
        int hash = hash(key);
        long bucket = bucketOffset(hash);
        synchronized (lock(hash)) {
            int n = 0;
            for (int i = 0; i < SLOTS_PER_BUCKET; i++) {
                if (seg.get(U16, bucket + (long) i * SLOT) == 0) {
                    n++;
                }
            }
            return n;
        }
    }

    /** Thrown when a key's bucket is full: the table is too small for its keys. */
    public static final class TableFullException extends RuntimeException {
        TableFullException(String m) {
            super(m);
        }
    }

    private long find(long bucket, byte[] key, int hash) {
        for (int i = 0; i < SLOTS_PER_BUCKET; i++) {
            long slot = bucket + (long) i * SLOT;
            int len = Short.toUnsignedInt(seg.get(U16, slot));
            if (len == key.length && seg.get(U32, slot + 4) == hash && keyEquals(slot, key)) {
                return slot;
            }
        }
        return -1;
    }

    private boolean keyEquals(long slot, byte[] key) {
        MemorySegment k = MemorySegment.ofArray(key);
        return MemorySegment.mismatch(seg, slot + KEY_OFF, slot + KEY_OFF + key.length, k, 0, key.length) < 0;
    }

    private long free(long bucket) {
        for (int i = 0; i < SLOTS_PER_BUCKET; i++) {
            long slot = bucket + (long) i * SLOT;
            if (seg.get(U16, slot) == 0) {
                return slot;
            }
        }
        throw new TableFullException("bucket at " + bucket + " is full (" + SLOTS_PER_BUCKET + " keys); use a "
                + "larger table");
    }

    /** How many keys the table holds (counts every slot: for status pages, not hot paths). */
    public long entries() {
        long n = 0;
        for (long s = PAGE; s < PAGE + (long) buckets * PAGE; s += SLOT) {
            if (seg.get(U16, s) != 0) {
                n++;
            }
        }
        return n;
    }

    private void written(long offset, long length) {
        if (markWrites) {
            region.markWritten(offset, length);
        }
    }

    private long bucketOffset(int hash) {
        return PAGE + (long) Integer.remainderUnsigned(hash, buckets) * PAGE;
    }

    private Object lock(int hash) {
        return locks[Integer.remainderUnsigned(hash, buckets) % locks.length];
    }

    private static void checkKey(byte[] key) {
        if (key.length == 0 || key.length > MAX_KEY) {
            throw new IllegalArgumentException("key of " + key.length + " bytes; expected 1 to " + MAX_KEY);
        }
    }

    /** FNV-1a over the key's bytes. */
    static int hash(byte[] key) {
        int h = 0x811c9dc5;
        for (byte b : key) {
            h = (h ^ (b & 0xff)) * 0x01000193;
        }
        return h;
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** SHA-256 of a whole segment, hex: what the demo compares between source and destination. */
    public static String sha256(MemorySegment s) {
        MessageDigest md = sha256();
        for (long off = 0; off < s.byteSize(); off += 1 << 20) {
            md.update(s.asSlice(off, Math.min(1 << 20, s.byteSize() - off)).asByteBuffer());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

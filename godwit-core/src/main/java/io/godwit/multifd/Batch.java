package io.godwit.multifd;

import static io.godwit.multifd.MultifdWire.PAGES_PER_PACKET;
import static io.godwit.multifd.MultifdWire.PAGE_SIZE;

import io.godwit.ram.RamBlock;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The pages of one packet, on their way from the migration thread to a channel: normal pages are
 * copied in, or, where the channel writes them straight from RAM, only referred to; zero pages
 * only listed. A page sent from RAM may have changed since its dirty bit was cleared: it was then
 * marked dirty again and goes again, as QEMU's multifd sends guest memory in place. Owned by the migration
 * thread while it fills it, then by the channel that sends it, then back in the free pool.
 */
final class Batch {
    final MemorySegment pages;
    final long[] normal;
    final long[] zero;
    /** Where each normal page's bytes are sent from: its slot in {@link #pages}, or RAM itself. */
    final MemorySegment[] sources;
    RamBlock block;
    int normalCount;
    int zeroCount;
    long packetNum;
    /** For the marker that asks a channel for a SYNC packet, the sync's sequence number; else -1. */
    final long syncSeq;
    /** For a device's buffer, its header and bytes (not from the free pool); else null. */
    final DeviceStatePacket device;
    final byte[] deviceData;

    Batch() {
        pages = Arena.ofAuto().allocate((long) PAGES_PER_PACKET * PAGE_SIZE, 4096);
        normal = new long[PAGES_PER_PACKET];
        zero = new long[PAGES_PER_PACKET];
        sources = new MemorySegment[PAGES_PER_PACKET];
        syncSeq = -1;
        device = null;
        deviceData = null;
    }

    private Batch(long syncSeq, long packetNum, DeviceStatePacket device, byte[] deviceData) {
        pages = MemorySegment.NULL;
        normal = new long[0];
        zero = new long[0];
        sources = new MemorySegment[0];
        this.syncSeq = syncSeq;
        this.packetNum = packetNum;
        this.device = device;
        this.deviceData = deviceData;
    }

    static Batch sync(long seq, long packetNum) {
        return new Batch(seq, packetNum, null, null);
    }

    static Batch deviceState(DeviceStatePacket header, byte[] data) {
        return new Batch(-1, -1, header, data);
    }

    boolean isSync() {
        return syncSeq >= 0;
    }

    boolean isDeviceState() {
        return device != null;
    }

    int count() {
        return normalCount + zeroCount;
    }

    boolean full() {
        return count() == PAGES_PER_PACKET;
    }

    /**
     * Adds a page ({@code bytes} null: a zero page); with {@code copy}, its bytes are copied now,
     * else sent from {@code bytes} later. Returns what will be sent.
     */
    MemorySegment add(long offset, MemorySegment bytes, boolean copy) {
        if (bytes == null) {
            zero[zeroCount++] = offset;
            return null;
        }
        MemorySegment from = bytes;
        if (copy) {
            from = pages.asSlice((long) normalCount * PAGE_SIZE, PAGE_SIZE);
            MemorySegment.copy(bytes, 0, from, 0, PAGE_SIZE);
        }
        sources[normalCount] = from;
        normal[normalCount++] = offset;
        return from;
    }

    Packet packet(int compressionFlag, int dataSize) {
        long[] offsets = new long[count()];
        System.arraycopy(normal, 0, offsets, 0, normalCount);
        System.arraycopy(zero, 0, offsets, normalCount, zeroCount);
        return new Packet(normalCount > 0 ? compressionFlag : 0, normalCount, zeroCount, dataSize, packetNum,
                block.name(), offsets);
    }

    void clear() {
        java.util.Arrays.fill(sources, 0, normalCount, null);
        block = null;
        normalCount = 0;
        zeroCount = 0;
    }
}

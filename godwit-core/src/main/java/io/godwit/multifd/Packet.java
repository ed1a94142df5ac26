package io.godwit.multifd;

/**
 * One multifd packet header (QEMU MultiFDPacket_t, QEMU 9.0+'s layout: QEMU 7.2 had zero there,
 * as part of its reserved words). {@code offsets} lists the normal pages, then the zero pages.
 *
 * @param flags SYNC and the compression method
 * @param normalPages pages whose data follows the packet
 * @param zeroPages pages the destination sets to zero
 * @param nextPacketSize bytes of data after the packet (compressed or not)
 * @param packetNum the source's running count of packets over all channels
 * @param block the RAM block's name; empty when the packet has no pages
 * @param offsets byte offsets in the block, normal pages first
 */
public record Packet(int flags, int normalPages, int zeroPages, int nextPacketSize, long packetNum, String block,
        long[] offsets) {
    public Packet {
        if (offsets.length != normalPages + zeroPages) {
            throw new IllegalArgumentException(offsets.length + " offsets for " + normalPages + " + " + zeroPages
                    + " pages");
        }
    }

    /** A packet with no pages that marks a sync point. */
    public static Packet sync(long packetNum) {
        return new Packet(MultifdWire.FLAG_SYNC, 0, 0, 0, packetNum, "", new long[0]);
    }

    public boolean isSync() {
        return (flags & MultifdWire.FLAG_SYNC) != 0;
    }

    public int compression() {
        return flags & MultifdWire.FLAG_COMPRESSION_MASK;
    }
}

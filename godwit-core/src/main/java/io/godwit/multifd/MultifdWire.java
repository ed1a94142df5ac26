package io.godwit.multifd;

/** Multifd's wire constants (QEMU migration/multifd.h); big-endian like the main stream. */
public final class MultifdWire {
    private MultifdWire() {}

    public static final int MAGIC = 0x11223344;
    public static final int VERSION = 1;
    public static final int PAGE_SIZE = 4096;
    /** MULTIFD_PACKET_SIZE / page size: the pages one packet lists, and the offsets it always carries. */
    public static final int PAGES_PER_PACKET = (512 * 1024) / PAGE_SIZE;
    /** The init message: magic, version, uuid[16], id, unused1[7], unused2[4] (64 bytes). */
    public static final int INIT_SIZE = 64;
    public static final int UUID_SIZE = 16;
    /** magic, version, flags, pages_alloc, normal_pages, next_packet_size, packet_num, zero_pages, unused. */
    public static final int PACKET_HEADER_SIZE = 4 * 6 + 8 + 4 + 4 + 3 * 8;
    public static final int RAMBLOCK_NAME_SIZE = 256;
    /** Header, block name and the offsets array, as QEMU reads it in one piece. */
    public static final int PACKET_SIZE = PACKET_HEADER_SIZE + RAMBLOCK_NAME_SIZE + 8 * PAGES_PER_PACKET;

    public static final int FLAG_SYNC = 1;
    public static final int FLAG_COMPRESSION_MASK = 7 << 1;
    public static final int FLAG_NOCOMP = 0;
    public static final int FLAG_ZLIB = 1 << 1;
    public static final int FLAG_ZSTD = 2 << 1;
    /** QEMU 10: the packet carries device state (a {@link DeviceStatePacket}), not pages. */
    public static final int FLAG_DEVICE_STATE = 32 << 1;
    /** What every packet starts with: magic, version, flags (QEMU MultiFDPacketHdr_t). */
    public static final int COMMON_HEADER_SIZE = 12;
    /** The device state packet: the common header, idstr[256], instance_id, next_packet_size. */
    public static final int DEVICE_PACKET_SIZE = COMMON_HEADER_SIZE + 256 + 4 + 4;
    public static final int IDSTR_SIZE = 256;
}

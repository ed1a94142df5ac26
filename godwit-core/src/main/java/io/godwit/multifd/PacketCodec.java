package io.godwit.multifd;

import static io.godwit.multifd.MultifdWire.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.ToLongFunction;

/**
 * Writes and reads multifd packets. A packet is always {@link MultifdWire#PACKET_SIZE} bytes:
 * QEMU reads that much whatever the count of pages, so unused offsets are zero. The reader
 * refuses what QEMU refuses (magic, version, counts past a packet, offsets past the block, an
 * unknown block) and more: unknown flags, device state (a channel reads that as a
 * {@link DeviceStatePacket} before it gets here), offsets not on a page, a block name
 * without its terminating NUL, a data size that does not fit the pages.
 */
public final class PacketCodec {
    private static final int KNOWN_FLAGS = FLAG_SYNC | FLAG_COMPRESSION_MASK;
    /** QEMU's zlib and zstd receivers take at most twice the pages' size of compressed data. */
    public static final int MAX_COMPRESSED = 2 * PAGES_PER_PACKET * PAGE_SIZE;

    private PacketCodec() {}

    /** Fills {@code b} (at least {@link MultifdWire#PACKET_SIZE} bytes left) with {@code p}. */
    public static void encode(Packet p, ByteBuffer b) {
        int start = b.position();
        b.putInt(MAGIC).putInt(VERSION).putInt(p.flags()).putInt(PAGES_PER_PACKET).putInt(p.normalPages())
                .putInt(p.nextPacketSize()).putLong(p.packetNum()).putInt(p.zeroPages()).putInt(0)
                .putLong(0).putLong(0).putLong(0);
        byte[] name = p.block().getBytes(StandardCharsets.UTF_8);
        if (name.length >= RAMBLOCK_NAME_SIZE) {
            throw new IllegalArgumentException("RAM block name of " + name.length + " bytes; at most 255 fit");
        }
        b.put(name);
        b.put(new byte[RAMBLOCK_NAME_SIZE - name.length]);
        for (long o : p.offsets()) {
            b.putLong(o);
        }
        b.put(new byte[start + PACKET_SIZE - b.position()]);
    }

    /**
     * Reads a packet from {@code b} ({@link MultifdWire#PACKET_SIZE} bytes), checking its block
     * and offsets with {@code blockSize}, which gives a block's length by name or -1 if there is
     * none. Messages name the channel and the packet's place in it.
     */
    public static Packet decode(ByteBuffer b, ToLongFunction<String> blockSize, String where) throws IOException {
        int magic = b.getInt();
        int version = b.getInt();
        int flags = b.getInt();
        int pagesAlloc = b.getInt();
        int normal = b.getInt();
        int next = b.getInt();
        long num = b.getLong();
        int zero = b.getInt();
        b.position(b.position() + 4 + 24);
        if (magic != MAGIC) {
            throw refused(where, "magic 0x" + Integer.toHexString(magic) + "; expected 0x" + Integer.toHexString(MAGIC));
        }
        if (version != VERSION) {
            throw refused(where, "version " + Integer.toUnsignedString(version) + "; expected " + VERSION);
        }
        if ((flags & FLAG_DEVICE_STATE) != 0) {
            throw refused(where, "device state (flags 0x" + Integer.toHexString(flags) + "); Godwit takes RAM only"
                    + " on multifd channels");
        }
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw refused(where, "flags 0x" + Integer.toHexString(flags) + "; expected only SYNC and a compression");
        }
        checkCounts(where, pagesAlloc, normal, zero);
        checkDataSize(where, flags, normal, next);
        byte[] raw = new byte[RAMBLOCK_NAME_SIZE];
        b.get(raw);
        long[] offsets = new long[normal + zero];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = b.getLong();
        }
        b.position(b.position() + 8 * (PAGES_PER_PACKET - offsets.length));
        if (normal == 0) {
            next = 0;
        }
        if (offsets.length == 0) {
            return new Packet(flags, 0, 0, 0, num, "", offsets);
        }
        String name = blockName(raw, where);
        long size = blockSize.applyAsLong(name);
        if (size < 0) {
            throw refused(where, "unknown RAM block '" + name + "'");
        }
        for (long o : offsets) {
            if (o < 0 || o > size - PAGE_SIZE || (o & (PAGE_SIZE - 1)) != 0) {
                throw refused(where, "page offset 0x" + Long.toHexString(o) + " in RAM block '" + name + "' of "
                        + size + " bytes; expected a page start within the block");
            }
        }
        return new Packet(flags, normal, zero, next, num, name, offsets);
    }

    private static void checkCounts(String where, int pagesAlloc, int normal, int zero) throws IOException {
        if (pagesAlloc < 0 || pagesAlloc > PAGES_PER_PACKET) {
            throw refused(where, Integer.toUnsignedString(pagesAlloc) + " pages allocated; expected at most "
                    + PAGES_PER_PACKET);
        }
        if (normal < 0 || normal > PAGES_PER_PACKET) {
            throw refused(where, Integer.toUnsignedString(normal) + " normal pages; expected at most "
                    + PAGES_PER_PACKET);
        }
        if (zero < 0 || zero > PAGES_PER_PACKET - normal) {
            throw refused(where, Integer.toUnsignedString(zero) + " zero pages beside " + normal
                    + " normal ones; expected at most " + PAGES_PER_PACKET + " in all");
        }
    }

    private static void checkDataSize(String where, int flags, int normal, int next) throws IOException {
        boolean raw = (flags & FLAG_COMPRESSION_MASK) == FLAG_NOCOMP;
        if (normal == 0) {
            return; // no data follows, whatever the field says (QEMU 7.2 leaves the previous packet's size there)
        }
        if (raw && next != normal * PAGE_SIZE || !raw && (next < 0 || next > MAX_COMPRESSED)) {
            throw refused(where, Integer.toUnsignedString(next) + " bytes of data for " + normal + " pages; expected "
                    + (raw ? String.valueOf(normal * PAGE_SIZE) : "at most " + MAX_COMPRESSED));
        }
    }

    private static String blockName(byte[] raw, String where) throws IOException {
        int len = 0;
        while (len < raw.length && raw[len] != 0) {
            len++;
        }
        if (len == raw.length || len == 0) {
            throw refused(where, len == 0 ? "an empty RAM block name" : "a RAM block name without its NUL");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw, 0, len)).toString();
        } catch (CharacterCodingException e) {
            throw refused(where, "a RAM block name of invalid UTF-8");
        }
    }

    private static IOException refused(String where, String what) {
        return new IOException(where + ": packet with " + what);
    }
}

package io.godwit.device;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One buffer of a device's stop-copy state on the multifd channels (QEMU 10.0
 * VFIODeviceStatePacket): be32 version (0), be32 index, be32 flags (CONFIG_STATE 1 on the last
 * buffer, which holds the configuration), then the bytes. Indexes count from 0 per device and
 * migration; the destination loads the buffers in index order.
 *
 * @param index the buffer's place in the device's state
 * @param config whether it is the configuration, the last buffer
 * @param offset where the bytes start in the packet
 */
record StateBuffer(int index, boolean config, int offset) {
    static final int VERSION = 0;
    static final int HEADER = 12;
    static final int FLAG_CONFIG = 1;

    /** Writes the header at the start of {@code packet}. */
    static void header(byte[] packet, int index, boolean config) {
        ByteBuffer.wrap(packet).putInt(VERSION).putInt(index).putInt(config ? FLAG_CONFIG : 0);
    }

    /** Reads and checks the header of a packet for {@code device}. */
    static StateBuffer parse(byte[] packet, String device) throws IOException {
        if (packet.length < HEADER) {
            throw new IOException(device + ": state buffer of " + packet.length + " bytes; expected at least " + HEADER);
        }
        ByteBuffer b = ByteBuffer.wrap(packet);
        int version = b.getInt();
        int index = b.getInt();
        int flags = b.getInt();
        if (version != VERSION) {
            throw new IOException(device + ": state buffer version " + Integer.toUnsignedString(version) + "; expected "
                    + VERSION);
        }
        if (index < 0) {
            throw new IOException(device + ": state buffer index " + Integer.toUnsignedString(index)
                    + "; expected below 2^31");
        }
        if ((flags & ~FLAG_CONFIG) != 0) {
            throw new IOException(device + ": state buffer flags 0x" + Integer.toHexString(flags)
                    + "; expected only CONFIG_STATE");
        }
        return new StateBuffer(index, flags == FLAG_CONFIG, HEADER);
    }
}

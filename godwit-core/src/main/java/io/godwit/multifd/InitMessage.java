package io.godwit.multifd;

import static io.godwit.multifd.MultifdWire.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The first 64 bytes of a multifd channel (QEMU MultiFDInit_t): magic, version, the source's
 * uuid, and the channel's id.
 *
 * @param uuid 16 bytes (QEMU's -uuid; zero by default)
 * @param id the channel number, 0 to channels - 1
 */
public record InitMessage(byte[] uuid, int id) {
    public InitMessage {
        if (uuid.length != UUID_SIZE) {
            throw new IllegalArgumentException("uuid of " + uuid.length + " bytes; expected " + UUID_SIZE);
        }
        if (id < 0 || id > 255) {
            throw new IllegalArgumentException("channel id " + id + " out of 0..255");
        }
        uuid = uuid.clone();
    }

    @Override
    public byte[] uuid() {
        return uuid.clone();
    }

    public ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(INIT_SIZE);
        b.putInt(MAGIC).putInt(VERSION).put(uuid).put((byte) id);
        return b.position(INIT_SIZE).flip();
    }

    /**
     * Reads one from {@code b} (64 bytes) and checks it against what this side expects: the magic,
     * the version, and an id below {@code channels}.
     */
    public static InitMessage decode(ByteBuffer b, int channels) throws IOException {
        if (b.remaining() < INIT_SIZE) {
            throw new IOException("multifd init message of " + b.remaining() + " bytes; expected " + INIT_SIZE);
        }
        int magic = b.getInt();
        int version = b.getInt();
        if (magic != MAGIC) {
            throw new IOException("multifd: received packet magic 0x" + Integer.toHexString(magic) + "; expected 0x"
                    + Integer.toHexString(MAGIC));
        }
        if (version != VERSION) {
            throw new IOException("multifd: received packet version " + Integer.toUnsignedString(version)
                    + "; expected " + VERSION);
        }
        byte[] uuid = new byte[UUID_SIZE];
        b.get(uuid);
        int id = b.get() & 0xff;
        b.position(b.position() + 7 + 32);
        if (id >= channels) {
            throw new IOException("multifd: received channel id " + id + "; expected 0 to " + (channels - 1)
                    + " (multifd-channels is " + channels + ")");
        }
        return new InitMessage(uuid, id);
    }

    public String uuidText() {
        return HexFormat.of().formatHex(uuid);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InitMessage m && m.id == id && Arrays.equals(m.uuid, uuid);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(uuid) + id;
    }
}

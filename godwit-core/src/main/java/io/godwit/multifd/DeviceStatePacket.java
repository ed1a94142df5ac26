package io.godwit.multifd;

import static io.godwit.multifd.MultifdWire.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The header of a multifd packet that carries device state (QEMU 10.0 MultiFDPacketDeviceState_t):
 * be32 magic, be32 version, be32 flags (DEVICE_STATE, nothing else), idstr[256] NUL-terminated,
 * be32 instance_id, be32 next_packet_size; then next_packet_size bytes of the device's buffer.
 *
 * @param idstr the section idstr of the device's handler ("ID/vfio")
 * @param instanceId the handler's instance id
 * @param nextPacketSize bytes of the device's buffer that follow
 */
public record DeviceStatePacket(String idstr, int instanceId, int nextPacketSize) {
    /** Largest buffer taken: the device buffers Godwit sends are 1 MiB and a header. */
    public static final int MAX_DATA = 16 << 20;

    public DeviceStatePacket {
        if (idstr.isEmpty() || idstr.getBytes(StandardCharsets.UTF_8).length >= IDSTR_SIZE) {
            throw new IllegalArgumentException("device idstr must have 1 to 255 bytes: '" + idstr + "'");
        }
        if (nextPacketSize < 0 || nextPacketSize > MAX_DATA) {
            throw new IllegalArgumentException("device state of " + nextPacketSize + " bytes; at most " + MAX_DATA);
        }
    }

    /** Fills {@code b} with the {@link MultifdWire#DEVICE_PACKET_SIZE} bytes of this header. */
    public void encode(ByteBuffer b) {
        byte[] name = idstr.getBytes(StandardCharsets.UTF_8);
        b.putInt(MAGIC).putInt(VERSION).putInt(FLAG_DEVICE_STATE);
        b.put(name).put(new byte[IDSTR_SIZE - name.length]);
        b.putInt(instanceId).putInt(nextPacketSize);
    }

    /**
     * Reads the header from {@code b} ({@link MultifdWire#DEVICE_PACKET_SIZE} bytes; magic and
     * version already checked by the caller, who saw the flag) and checks it.
     */
    public static DeviceStatePacket decode(ByteBuffer b, String where) throws IOException {
        b.position(b.position() + 8);
        int flags = b.getInt();
        if (flags != FLAG_DEVICE_STATE) {
            throw refused(where, "flags 0x" + Integer.toHexString(flags) + "; expected DEVICE_STATE (0x"
                    + Integer.toHexString(FLAG_DEVICE_STATE) + ") alone");
        }
        byte[] raw = new byte[IDSTR_SIZE];
        b.get(raw);
        int instance = b.getInt();
        int size = b.getInt();
        String name = idstr(raw, where);
        if (size < 0 || size > MAX_DATA) {
            throw refused(where, Integer.toUnsignedString(size) + " bytes of device state for '" + name
                    + "'; expected at most " + MAX_DATA);
        }
        return new DeviceStatePacket(name, instance, size);
    }

    private static String idstr(byte[] raw, String where) throws IOException {
        int len = 0;
        while (len < raw.length && raw[len] != 0) {
            len++;
        }
        if (len == raw.length || len == 0) {
            throw refused(where, len == 0 ? "an empty device idstr" : "a device idstr without its NUL");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw, 0, len)).toString();
        } catch (CharacterCodingException e) {
            throw refused(where, "a device idstr of invalid UTF-8");
        }
    }

    private static IOException refused(String where, String what) {
        return new IOException(where + ": device state packet with " + what);
    }
}

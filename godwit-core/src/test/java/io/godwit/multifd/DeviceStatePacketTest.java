package io.godwit.multifd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** QEMU 10.0's device state packet header, byte for byte, and what the reader refuses. */
class DeviceStatePacketTest {
    private static ByteBuffer encoded(DeviceStatePacket p) {
        ByteBuffer b = ByteBuffer.allocate(MultifdWire.DEVICE_PACKET_SIZE);
        p.encode(b);
        assertThat(b.position()).isEqualTo(MultifdWire.DEVICE_PACKET_SIZE);
        return b.flip();
    }

    @Test
    void headerHasQemusLayout() {
        ByteBuffer b = encoded(new DeviceStatePacket("gpu0/vfio", 3, 0x100010));
        assertThat(b.limit()).isEqualTo(276);
        byte[] head = new byte[21];
        b.get(0, head);
        assertThat(HexFormat.of().formatHex(head)).isEqualTo("11223344" + "00000001" + "00000040"
                + HexFormat.of().formatHex("gpu0/vfio".getBytes()));
        assertThat(b.get(12 + 9)).isZero(); // the NUL, and zeros to the end of idstr[256]
        assertThat(b.get(12 + 255)).isZero();
        assertThat(b.getInt(268)).isEqualTo(3);
        assertThat(b.getInt(272)).isEqualTo(0x100010);
    }

    @Test
    void roundTrips() throws IOException {
        DeviceStatePacket p = DeviceStatePacket.decode(encoded(new DeviceStatePacket("kv0/vfio", 0, 12)), "test");
        assertThat(p).isEqualTo(new DeviceStatePacket("kv0/vfio", 0, 12));
    }

    @Test
    void refusesAnIdstrWithoutItsNul() {
        ByteBuffer b = encoded(new DeviceStatePacket("a", 0, 0));
        for (int i = 12; i < 12 + 256; i++) {
            b.put(i, (byte) 'x');
        }
        assertThatThrownBy(() -> DeviceStatePacket.decode(b, "ch 1, packet 4"))
                .hasMessage("ch 1, packet 4: device state packet with a device idstr without its NUL");
    }

    @Test
    void refusesAnEmptyIdstr() {
        ByteBuffer b = encoded(new DeviceStatePacket("a", 0, 0));
        b.put(12, (byte) 0);
        assertThatThrownBy(() -> DeviceStatePacket.decode(b, "ch 0"))
                .hasMessage("ch 0: device state packet with an empty device idstr");
    }

    @Test
    void refusesOtherFlagsBesideDeviceState() {
        ByteBuffer b = encoded(new DeviceStatePacket("a", 0, 0));
        b.putInt(8, MultifdWire.FLAG_DEVICE_STATE | MultifdWire.FLAG_ZLIB);
        assertThatThrownBy(() -> DeviceStatePacket.decode(b, "ch 0"))
                .hasMessage("ch 0: device state packet with flags 0x42; expected DEVICE_STATE (0x40) alone");
    }

    @Test
    void refusesMoreDataThanABufferHolds() {
        ByteBuffer b = encoded(new DeviceStatePacket("a", 0, 0));
        b.putInt(272, -1);
        assertThatThrownBy(() -> DeviceStatePacket.decode(b, "ch 0"))
                .hasMessage("ch 0: device state packet with 4294967295 bytes of device state for 'a'; expected at most "
                        + DeviceStatePacket.MAX_DATA);
    }
}

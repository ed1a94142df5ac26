package io.godwit.multifd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The packet and init message layouts, byte for byte, and what the readers refuse. */
class PacketCodecTest {
    private static long size(String name) {
        return name.equals("pc.ram") ? 1 << 20 : -1;
    }

    private static ByteBuffer encoded(Packet p) {
        ByteBuffer b = ByteBuffer.allocate(MultifdWire.PACKET_SIZE);
        PacketCodec.encode(p, b);
        return b.flip();
    }

    @Test
    void packetHasQemusLayout() {
        ByteBuffer b = encoded(new Packet(MultifdWire.FLAG_ZSTD, 1, 1, 100, 7, "pc.ram", new long[] {0x1000, 0x3000}));
        assertThat(b.limit()).isEqualTo(320 + 8 * 128);
        byte[] head = new byte[48];
        b.get(0, head);
        assertThat(HexFormat.of().formatHex(head)).isEqualTo("11223344" + "00000001" + "00000004" + "00000080"
                + "00000001" + "00000064" + "0000000000000007" + "00000001" + "00000000" + "0".repeat(16));
        assertThat(b.get(64)).isEqualTo((byte) 'p');
        assertThat(b.getLong(320)).isEqualTo(0x1000);
        assertThat(b.getLong(328)).isEqualTo(0x3000);
        assertThat(b.getLong(336)).isZero();
    }

    @Test
    void roundTrips() throws IOException {
        Packet p = new Packet(MultifdWire.FLAG_NOCOMP | MultifdWire.FLAG_SYNC, 2, 0, 8192, 9, "pc.ram",
                new long[] {0, 0xff000});
        Packet q = PacketCodec.decode(encoded(p), PacketCodecTest::size, "test");
        assertThat(q.block()).isEqualTo("pc.ram");
        assertThat(q.offsets()).containsExactly(0, 0xff000);
        assertThat(q.isSync()).isTrue();
        assertThat(q.packetNum()).isEqualTo(9);
    }

    @Test
    void refusesAnOffsetPastTheBlock() {
        ByteBuffer b = encoded(new Packet(0, 1, 0, 4096, 0, "pc.ram", new long[] {1 << 20}));
        assertThatThrownBy(() -> PacketCodec.decode(b, PacketCodecTest::size, "ch 0"))
                .hasMessage("ch 0: packet with page offset 0x100000 in RAM block 'pc.ram' of 1048576 bytes; expected"
                        + " a page start within the block");
    }

    @Test
    void refusesAnUnknownBlock() {
        ByteBuffer b = encoded(new Packet(0, 1, 0, 4096, 0, "nope", new long[] {0}));
        assertThatThrownBy(() -> PacketCodec.decode(b, PacketCodecTest::size, "ch 0"))
                .hasMessage("ch 0: packet with unknown RAM block 'nope'");
    }

    @Test
    void refusesCountsPastAPacket() {
        ByteBuffer b = encoded(Packet.sync(0));
        b.putInt(16, 129); // normal_pages
        assertThatThrownBy(() -> PacketCodec.decode(b, PacketCodecTest::size, "ch 0"))
                .hasMessage("ch 0: packet with 129 normal pages; expected at most 128");
    }

    @Test
    void refusesADataSizeThatDoesNotFitUncompressedPages() {
        ByteBuffer b = encoded(new Packet(0, 1, 0, 4096, 0, "pc.ram", new long[] {0}));
        b.putInt(20, 4095);
        assertThatThrownBy(() -> PacketCodec.decode(b, PacketCodecTest::size, "ch 0"))
                .hasMessage("ch 0: packet with 4095 bytes of data for 1 pages; expected 4096");
    }

    @Test
    void readsNoDataForAPacketWithoutNormalPagesWhateverItsSizeField() throws IOException {
        // QEMU 7.2's SYNC packets carry the previous packet's next_packet_size; nothing follows them
        ByteBuffer b = encoded(Packet.sync(5));
        b.putInt(20, 91);
        Packet p = PacketCodec.decode(b, PacketCodecTest::size, "ch 0");
        assertThat(p.isSync()).isTrue();
        assertThat(p.nextPacketSize()).isZero();
    }

    @Test
    void takesQemu10sSyncPacketWhichAllocatesNoPages() throws IOException {
        ByteBuffer b = encoded(Packet.sync(262));
        b.putInt(12, 0); // pages_alloc, as QEMU 10.0 sends it in a SYNC packet
        assertThat(PacketCodec.decode(b, PacketCodecTest::size, "ch 0").isSync()).isTrue();
    }

    @Test
    void refusesWrongMagicAndDeviceState() {
        ByteBuffer b = encoded(Packet.sync(0));
        b.putInt(0, 0x5145564d);
        assertThatThrownBy(() -> PacketCodec.decode(b, PacketCodecTest::size, "ch 0"))
                .hasMessage("ch 0: packet with magic 0x5145564d; expected 0x11223344");
        ByteBuffer d = encoded(Packet.sync(0));
        d.putInt(8, MultifdWire.FLAG_DEVICE_STATE);
        assertThatThrownBy(() -> PacketCodec.decode(d, PacketCodecTest::size, "ch 0"))
                .hasMessageContaining("device state");
    }

    @Test
    void initMessageHasQemusLayoutAndRefusesAnIdPastTheChannels() throws IOException {
        byte[] uuid = new byte[16];
        uuid[15] = 1;
        ByteBuffer b = new InitMessage(uuid, 3).encode();
        assertThat(b.limit()).isEqualTo(64);
        assertThat(HexFormat.of().formatHex(b.array(), 0, 25)).isEqualTo("11223344" + "00000001"
                + "00000000000000000000000000000001" + "03");
        assertThat(InitMessage.decode(b.duplicate(), 4).id()).isEqualTo(3);
        assertThatThrownBy(() -> InitMessage.decode(b.duplicate(), 3))
                .hasMessage("multifd: received channel id 3; expected 0 to 2 (multifd-channels is 3)");
    }
}

package io.godwit.multifd;

import static io.godwit.multifd.MultifdWire.*;

import io.godwit.ram.RamBlock;
import io.godwit.ram.ZeroPages;
import io.godwit.stream.StreamInput;
import io.godwit.transport.Connection;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * One destination channel: a thread that reads the init message, then packets, and writes their
 * pages into RAM (QEMU multifd_recv_thread). At a SYNC packet it waits until the main stream has
 * reached the matching sync point.
 */
final class RecvChannel implements Runnable {
    final int index;
    final Connection conn;
    private final MultifdReceiver owner;
    private final int expectedCompression;
    private final PageCodec codec;
    private final byte[] header = new byte[PACKET_SIZE];
    private final ByteBuffer data;
    private StreamInput in;
    private String where;
    private long packets;

    RecvChannel(int index, Connection conn, MultifdReceiver owner, int expectedCompression) {
        this.index = index;
        this.conn = conn;
        this.owner = owner;
        this.expectedCompression = expectedCompression;
        this.codec = PageCodec.forReceiving(expectedCompression);
        this.data = expectedCompression == MultifdWire.FLAG_NOCOMP ? null
                : ByteBuffer.allocateDirect(PacketCodec.MAX_COMPRESSED);
        this.where = "multifd channel from " + conn.uri();
    }

    @Override
    public void run() {
        try {
            in = new StreamInput(conn.input());
            byte[] init = new byte[INIT_SIZE];
            in.getBytes(init, 0, INIT_SIZE);
            InitMessage m = InitMessage.decode(ByteBuffer.wrap(init), owner.channels());
            where = "multifd channel " + m.id();
            owner.introduced(this, m);
            while (in.hasMore()) {
                receive();
            }
            owner.ended(this);
        } catch (IOException e) {
            owner.failed(this, e);
        } catch (InterruptedException e) {
            owner.failed(this, new IOException("interrupted"));
        } finally {
            codec.close();
        }
    }

    private void receive() throws IOException, InterruptedException {
        in.getBytes(header, 0, COMMON_HEADER_SIZE);
        String at = where + ", packet " + packets++;
        int flags = ByteBuffer.wrap(header, 8, 4).getInt();
        if ((flags & FLAG_DEVICE_STATE) != 0 && ByteBuffer.wrap(header).getInt() == MAGIC
                && ByteBuffer.wrap(header, 4, 4).getInt() == VERSION) {
            receiveDeviceState(at);
            return;
        }
        in.getBytes(header, COMMON_HEADER_SIZE, PACKET_SIZE - COMMON_HEADER_SIZE);
        Packet p = PacketCodec.decode(ByteBuffer.wrap(header), owner::blockSize, at);
        if (p.normalPages() > 0 && p.compression() != expectedCompression) {
            throw new IOException(at + ": compression flags 0x" + Integer.toHexString(p.compression())
                    + "; expected 0x" + Integer.toHexString(expectedCompression) + " as multifd-compression here");
        }
        if (p.normalPages() + p.zeroPages() > 0) {
            RamBlock block = owner.block(p.block());
            loadNormal(p, block, at);
            for (int i = p.normalPages(); i < p.offsets().length; i++) {
                loadZero(block, p.offsets()[i]);
            }
        }
        if (p.isSync()) {
            owner.syncReceived(this);
        }
    }

    /** QEMU 10.0's device state packet: its header, then the device's buffer for the sink. */
    private void receiveDeviceState(String at) throws IOException, InterruptedException {
        in.getBytes(header, COMMON_HEADER_SIZE, DEVICE_PACKET_SIZE - COMMON_HEADER_SIZE);
        DeviceStatePacket p = DeviceStatePacket.decode(ByteBuffer.wrap(header, 0, DEVICE_PACKET_SIZE), at);
        DeviceStateSink sink = owner.deviceStateSink();
        if (sink == null) {
            throw new IOException(at + ": device state for '" + p.idstr() + "', but no device here takes its state"
                    + " on multifd channels");
        }
        byte[] bytes = new byte[p.nextPacketSize()];
        in.getBytes(bytes, 0, bytes.length);
        sink.deliver(p, bytes, at);
    }

    private void loadNormal(Packet p, RamBlock block, String at) throws IOException {
        long[] offsets = p.offsets();
        if (data == null) {
            for (int i = 0; i < p.normalPages(); i++) {
                in.copyTo(block.segment(), offsets[i], PAGE_SIZE);
                block.setPopulated(offsets[i] >>> 12);
            }
            return;
        }
        data.clear().limit(p.nextPacketSize());
        in.copyTo(MemorySegment.ofBuffer(data), 0, p.nextPacketSize());
        ByteBuffer[] pages = new ByteBuffer[p.normalPages()];
        for (int i = 0; i < pages.length; i++) {
            pages[i] = block.segment().asSlice(offsets[i], PAGE_SIZE).asByteBuffer();
        }
        codec.decode(data, pages, at);
        for (int i = 0; i < pages.length; i++) {
            block.setPopulated(offsets[i] >>> 12);
        }
    }

    private static void loadZero(RamBlock block, long offset) {
        if (block.mayBeNonZero(offset >>> 12) && !ZeroPages.isZero(block.segment(), offset)) {
            block.segment().asSlice(offset, PAGE_SIZE).fill((byte) 0);
        }
    }

    String where() {
        return where;
    }
}

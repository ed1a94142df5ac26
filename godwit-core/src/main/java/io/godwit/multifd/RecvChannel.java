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
    /** Where one packet's pages go, a run of pages adjacent in RAM per buffer. */
    private final ByteBuffer[] pieces = new ByteBuffer[PAGES_PER_PACKET];
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
            SocketPageReader direct = directReader();
            while (readHeaderStart(direct)) {
                receive(direct);
            }
            owner.ended(this);
        } catch (IOException e) {
            owner.failed(this, e);
        } catch (InterruptedException e) {
            owner.failed(this, new IOException("interrupted"));
        } catch (RuntimeException e) { // a bug, not the peer: still fail the load rather than hang it
            owner.failed(this, new IOException(where + ": " + e, e));
        } finally {
            codec.close();
        }
    }

    /**
     * Uncompressed pages over a plain socket are read straight into RAM; the bytes the stream input
     * has buffered beyond the init message are handed over to the reader first.
     */
    private SocketPageReader directReader() throws IOException {
        java.nio.channels.SocketChannel socket = conn.socket();
        if (data != null || socket == null) {
            return null;
        }
        long at = in.position();
        byte[] ahead = in.peekBuffered(Integer.MAX_VALUE);
        in.skip(ahead.length);
        return new SocketPageReader(socket, ahead, at, where);
    }

    /**
     * Reads the header's common part (magic, version, flags), which says whether a RAM or a device
     * state packet follows; false if the channel ended cleanly before it.
     */
    private boolean readHeaderStart(SocketPageReader direct) throws IOException {
        if (direct == null) {
            if (!in.hasMore()) {
                return false;
            }
            in.getBytes(header, 0, COMMON_HEADER_SIZE);
            return true;
        }
        return direct.readStart(ByteBuffer.wrap(header, 0, COMMON_HEADER_SIZE));
    }

    /** Reads {@link #header} from {@code from} up to {@code to}, or {@code bytes} whole. */
    private void readRest(SocketPageReader direct, byte[] bytes, int from, int to, String what) throws IOException {
        if (direct == null) {
            in.getBytes(bytes, from, to - from);
        } else {
            direct.readRest(ByteBuffer.wrap(bytes, from, to - from), what);
        }
    }

    /** One packet, its header's common part in {@link #header}: a RAM packet or a device state packet. */
    private void receive(SocketPageReader direct) throws IOException, InterruptedException {
        String at = where + ", packet " + packets++;
        int flags = ByteBuffer.wrap(header, 8, 4).getInt();
        if ((flags & FLAG_DEVICE_STATE) != 0 && ByteBuffer.wrap(header).getInt() == MAGIC
                && ByteBuffer.wrap(header, 4, 4).getInt() == VERSION) {
            receiveDeviceState(direct, at);
            return;
        }
        readRest(direct, header, COMMON_HEADER_SIZE, PACKET_SIZE, "packet header");
        Packet p = PacketCodec.decode(ByteBuffer.wrap(header), owner::blockSize, at);
        if (p.normalPages() > 0 && p.compression() != expectedCompression) {
            throw new IOException(at + ": compression flags 0x" + Integer.toHexString(p.compression())
                    + "; expected 0x" + Integer.toHexString(expectedCompression) + " as multifd-compression here");
        }
        if (p.normalPages() + p.zeroPages() > 0) {
            RamBlock block = owner.block(p.block());
            if (direct != null) {
                loadDirect(direct, p, block);
            } else {
                loadNormal(p, block, at);
            }
            for (int i = p.normalPages(); i < p.offsets().length; i++) {
                loadZero(block, p.offsets()[i]);
            }
        }
        if (p.isSync()) {
            owner.syncReceived(this);
        }
    }

    /** QEMU 10.0's device state packet: its header, then the device's buffer for the sink. */
    private void receiveDeviceState(SocketPageReader direct, String at) throws IOException, InterruptedException {
        readRest(direct, header, COMMON_HEADER_SIZE, DEVICE_PACKET_SIZE, "device state packet header");
        DeviceStatePacket p = DeviceStatePacket.decode(ByteBuffer.wrap(header, 0, DEVICE_PACKET_SIZE), at);
        DeviceStateSink sink = owner.deviceStateSink();
        if (sink == null) {
            throw new IOException(at + ": device state for '" + p.idstr() + "', but no device here takes its state"
                    + " on multifd channels");
        }
        byte[] bytes = new byte[p.nextPacketSize()];
        readRest(direct, bytes, 0, bytes.length, "device state buffer");
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

    /** Reads the packet's pages into their places in RAM, pages adjacent there as one buffer. */
    private void loadDirect(SocketPageReader direct, Packet p, RamBlock block) throws IOException {
        long[] offsets = p.offsets();
        MemorySegment ram = block.segment();
        int n = 0;
        int i = 0;
        while (i < p.normalPages()) {
            int end = i + 1;
            while (end < p.normalPages() && offsets[end] == offsets[end - 1] + PAGE_SIZE) {
                end++;
            }
            pieces[n++] = ram.asSlice(offsets[i], (long) (end - i) * PAGE_SIZE).asByteBuffer();
            i = end;
        }
        direct.readPages(pieces, n, (long) p.normalPages() * PAGE_SIZE);
        java.util.Arrays.fill(pieces, 0, n, null);
        for (i = 0; i < p.normalPages(); i++) {
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

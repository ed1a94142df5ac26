package io.godwit.multifd;

import static io.godwit.multifd.MultifdWire.PACKET_SIZE;
import static io.godwit.multifd.MultifdWire.PAGES_PER_PACKET;
import static io.godwit.multifd.MultifdWire.PAGE_SIZE;

import io.godwit.stream.StreamOutput;
import io.godwit.transport.Connection;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * One source channel: a thread that takes batches from its bounded queue and writes each as a
 * packet and its data (QEMU multifd_send_thread). It owns its connection's output and codec.
 */
final class SendChannel implements Runnable {
    /** A channel holds at most this many batches waiting, so the migration thread cannot run far ahead. */
    static final int QUEUE = 2;
    static final Batch STOP = new Batch();

    final int id;
    final Connection conn;
    final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(QUEUE);
    private final MultifdSender owner;
    private final PageCodec codec;
    private final ByteBuffer header = ByteBuffer.allocate(PACKET_SIZE);
    private final ByteBuffer compressed;
    /** The socket the pages go to straight from where they lie (RAM or a batch), or null. */
    private final SocketChannel socket;
    private final ByteBuffer directHeader;
    private final ByteBuffer[] iov = new ByteBuffer[PAGES_PER_PACKET + 1];
    private StreamOutput out;
    private Thread thread;

    SendChannel(int id, Connection conn, MultifdSender owner, PageCodec codec) {
        this.id = id;
        this.conn = conn;
        this.owner = owner;
        this.codec = codec;
        this.compressed = codec instanceof PageCodec.RawCodec ? null
                : ByteBuffer.allocateDirect(PacketCodec.MAX_COMPRESSED);
        this.socket = compressed == null ? conn.socket() : null;
        this.directHeader = socket == null ? null : ByteBuffer.allocateDirect(PACKET_SIZE);
    }

    /** True when this channel writes pages with gathering writes, not through its stream buffer. */
    boolean direct() {
        return socket != null;
    }

    void start(InitMessage init) throws IOException {
        out = new StreamOutput(conn.output());
        ByteBuffer b = init.encode();
        out.putBytes(b.array(), 0, b.limit());
        out.flush();
        thread = Thread.ofPlatform().name("godwit-multifd-send-" + id).start(this);
        Thread.ofVirtual().name("godwit-multifd-watch-" + id).start(this::watchPeer);
    }

    /**
     * The destination never writes on a channel: a read that returns is its close (a refusal, a
     * failed load, a cut link). Seen here, it fails the migration as this channel's failure at
     * once, not only at this channel's next write, which may come after another channel's.
     */
    private void watchPeer() {
        try {
            ByteBuffer b = conn.input().next(null);
            owner.failed(this, new IOException(b == null ? "closed by the destination"
                    : "the destination wrote on a multifd channel"));
        } catch (IOException e) {
            owner.failed(this, e);
        }
    }

    @Override
    public void run() {
        try {
            while (true) {
                Batch b = queue.take();
                owner.tookBatch();
                if (b == STOP) {
                    return;
                }
                long bytes = b.isSync() ? sendSync(b) : b.isDeviceState() ? sendDeviceState(b) : sendPages(b);
                owner.sent(this, b, bytes);
            }
        } catch (IOException e) {
            owner.failed(this, e);
        } catch (InterruptedException e) {
            owner.failed(this, new IOException("interrupted"));
        } finally {
            codec.close();
        }
    }

    private long sendSync(Batch b) throws IOException {
        writeHeader(Packet.sync(b.packetNum));
        out.flush();
        return PACKET_SIZE;
    }

    /** A device's buffer: QEMU 10.0's device state header, then the bytes, never compressed. */
    private long sendDeviceState(Batch b) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(MultifdWire.DEVICE_PACKET_SIZE);
        b.device.encode(h);
        out.putBytes(h.array(), 0, h.position());
        out.putBytes(b.deviceData, 0, b.device.nextPacketSize());
        out.flush();
        return h.position() + b.device.nextPacketSize();
    }

    private long sendPages(Batch b) throws IOException {
        int normalBytes = b.normalCount * PAGE_SIZE;
        if (socket != null) {
            return sendGathering(b, normalBytes);
        }
        if (compressed == null || b.normalCount == 0) {
            writeHeader(b.packet(codec.flag(), normalBytes));
            out.putSegment(b.pages, 0, normalBytes);
            out.flush();
            return PACKET_SIZE + normalBytes;
        }
        codec.encode(b.pages.asSlice(0, normalBytes).asByteBuffer(), compressed);
        int size = compressed.remaining();
        writeHeader(b.packet(codec.flag(), size));
        out.putSegment(MemorySegment.ofBuffer(compressed), 0, size);
        out.flush();
        return PACKET_SIZE + size;
    }

    /**
     * One gathering write of the packet and its pages, each page from where it lies: no copy into
     * the stream's buffer (the stream is flushed after every packet, so nothing is buffered there).
     * Pages that lie next to each other in RAM go as one piece, so a packet of contiguous pages is
     * two pieces for the kernel rather than 129.
     */
    private long sendGathering(Batch b, int normalBytes) throws IOException {
        directHeader.clear();
        PacketCodec.encode(b.packet(codec.flag(), normalBytes), directHeader);
        directHeader.flip();
        iov[0] = directHeader;
        int n = 1 + pieces(b, iov, 1);
        long left = (long) PACKET_SIZE + normalBytes;
        while (left > 0) {
            left -= socket.write(iov, 0, n);
        }
        java.util.Arrays.fill(iov, 0, n, null);
        return PACKET_SIZE + normalBytes;
    }

    /**
     * Fills {@code into} from {@code at} with the batch's normal pages, runs of pages adjacent in
     * RAM (and sent from RAM, not from a copy) merged into one buffer; returns how many it filled.
     */
    static int pieces(Batch b, ByteBuffer[] into, int at) {
        MemorySegment ram = b.block.segment();
        long base = ram.address();
        int filled = 0;
        int i = 0;
        while (i < b.normalCount) {
            int end = i + 1;
            if (b.sources[i].address() == base + b.normal[i]) {
                while (end < b.normalCount && b.normal[end] == b.normal[end - 1] + PAGE_SIZE
                        && b.sources[end].address() == base + b.normal[end]) {
                    end++;
                }
            }
            into[at + filled++] = end == i + 1 ? b.sources[i].asByteBuffer()
                    : ram.asSlice(b.normal[i], (long) (end - i) * PAGE_SIZE).asByteBuffer();
            i = end;
        }
        return filled;
    }

    private void writeHeader(Packet p) throws IOException {
        header.clear();
        PacketCodec.encode(p, header);
        out.putBytes(header.array(), 0, PACKET_SIZE);
    }

    void join() throws InterruptedException {
        if (thread != null) {
            thread.join();
        }
    }
}

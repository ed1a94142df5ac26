package io.godwit.bench.loopback;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A peer of {@code godwit bench loopback}, in a JVM of its own:
 * {@code LoopbackPeer receiver|sender SIZE CONNECTIONS [PORT]}. It maps SIZE bytes off-heap and
 * writes them all (random bytes on the sender, zeros on the receiver), listens for the bench's
 * control connection (and, as receiver, for data), prints {@code READY control=PORT [data=PORT]},
 * then serves one bench until it says quit or goes away.
 */
public final class LoopbackPeer {
    static final long MAX_SIZE = 1L << 40;
    static final int MAX_CONNECTIONS = 8;
    static final int MIN_CHUNK = 4096;
    static final int MAX_CHUNK = 64 << 20;
    private static final int CONTROL_ACCEPT_MS = 120_000;

    private final boolean receiver;
    private final long size;
    private final int connections;
    private final int port;
    private final MemorySegment mem;

    private LoopbackPeer(boolean receiver, long size, int connections, int port, MemorySegment mem) {
        this.receiver = receiver;
        this.size = size;
        this.connections = connections;
        this.port = port;
        this.mem = mem;
    }

    public static void main(String[] args) {
        try (Arena arena = Arena.ofShared()) {
            if (args.length < 3 || !(args[0].equals("receiver") || args[0].equals("sender"))) {
                throw new IllegalArgumentException("usage: LoopbackPeer receiver|sender SIZE CONNECTIONS [PORT]");
            }
            boolean receiver = args[0].equals("receiver");
            long size = argument(args, 1, "SIZE", 1, MAX_SIZE);
            int connections = (int) argument(args, 2, "CONNECTIONS", 1, MAX_CONNECTIONS);
            int port = receiver ? 0 : (int) argument(args, 3, "PORT", 1, 65535);
            MemorySegment mem = arena.allocate(size, LoopbackMemory.PAGE);
            if (receiver) {
                LoopbackMemory.touch(mem);
            } else {
                LoopbackMemory.fillRandom(mem);
            }
            new LoopbackPeer(receiver, size, connections, port, mem).serve();
        } catch (Throwable e) {
            e.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
    }

    private static long argument(String[] args, int i, String name, long min, long max) {
        long v;
        try {
            v = Long.parseLong(args[i]);
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, not " + (i < args.length ? args[i] : "missing"));
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be " + min + " to " + max + ", not " + v);
        }
        return v;
    }

    private void serve() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket controlServer = new ServerSocket(0, 1, loopback);
                ServerSocketChannel data = receiver ? ServerSocketChannel.open() : null) {
            String dataPort = "";
            if (data != null) {
                data.bind(new InetSocketAddress(loopback, 0), 2 * MAX_CONNECTIONS);
                dataPort = " data=" + data.socket().getLocalPort();
            }
            System.out.println("READY control=" + controlServer.getLocalPort() + dataPort);
            System.out.flush();
            controlServer.setSoTimeout(CONTROL_ACCEPT_MS);
            try (LoopbackControl bench = new LoopbackControl(controlServer.accept(), "the bench")) {
                controlServer.close();
                if (receiver) {
                    receive(bench, new LoopbackReceiver(mem, connections, data));
                } else {
                    send(bench, new LoopbackSender(mem, connections, new InetSocketAddress(loopback, port)));
                }
            }
        }
    }

    private void receive(LoopbackControl bench, LoopbackReceiver r) throws Exception {
        while (true) {
            LoopbackControl.Message m = bench.receive();
            switch (m.word()) {
                case "prepare" -> {
                    long bytes = m.number("bytes", 1, size);
                    int readMax = (int) m.number("read-max", MIN_CHUNK, LoopbackMemory.WINDOW);
                    SocketChannel[] channels = r.prepare(bytes);
                    long cpu = ProcessCpu.nanos();
                    LoopbackWorkers readers = r.start(channels, bytes, readMax);
                    bench.send("ready");
                    readers.join();
                    bench.send("received cpu-ns=" + (ProcessCpu.nanos() - cpu));
                }
                case "crc" -> bench.send("crc value=" + LoopbackMemory.crc(mem, m.number("bytes", 1, size)));
                case "quit" -> {
                    return;
                }
                default -> throw new IOException("the bench sent '" + m.word() + "', expected prepare, crc or quit");
            }
        }
    }

    private void send(LoopbackControl bench, LoopbackSender s) throws Exception {
        while (true) {
            LoopbackControl.Message m = bench.receive();
            switch (m.word()) {
                case "connect" -> {
                    long bytes = m.number("bytes", 1, size);
                    int chunk = (int) m.number("chunk", MIN_CHUNK, MAX_CHUNK);
                    SocketChannel[] channels = s.connect();
                    bench.send("connected");
                    try {
                        bench.expect("go");
                    } catch (IOException e) {
                        LoopbackWorkers.closeAll(channels);
                        throw e;
                    }
                    long cpu = ProcessCpu.nanos();
                    s.start(channels, bytes, chunk).join();
                    bench.send("sent cpu-ns=" + (ProcessCpu.nanos() - cpu));
                }
                case "crc" -> bench.send("crc value=" + LoopbackMemory.crc(mem, m.number("bytes", 1, size)));
                case "quit" -> {
                    return;
                }
                default -> throw new IOException("the bench sent '" + m.word() + "', expected connect, crc or quit");
            }
        }
    }
}

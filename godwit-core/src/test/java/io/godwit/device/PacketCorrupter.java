package io.godwit.device;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback TCP proxy in front of a destination that overwrites the idstr of the first multifd
 * device state packet it sees (magic, version 1, flags DEVICE_STATE) with 256 bytes of 'x', so
 * the name has no terminating NUL. Everything else passes unchanged.
 */
final class PacketCorrupter implements AutoCloseable {
    private static final byte[] HEADER = {0x11, 0x22, 0x33, 0x44, 0, 0, 0, 1, 0, 0, 0, 0x40};

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicBoolean done = new AtomicBoolean();

    PacketCorrupter(String targetUri) throws IOException {
        String[] hp = targetUri.substring("tcp:".length()).split(":");
        this.target = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptAll);
    }

    String uri() {
        return "tcp:127.0.0.1:" + server.getLocalPort();
    }

    boolean corrupted() {
        return done.get();
    }

    private void acceptAll() {
        try {
            while (true) {
                Socket in = server.accept();
                Socket out = new Socket(target.getAddress(), target.getPort());
                sockets.add(in);
                sockets.add(out);
                Thread.ofVirtual().start(() -> pump(out, in, false));
                Thread.ofVirtual().start(() -> pump(in, out, true));
            }
        } catch (IOException closed) {
            // the proxy is closed
        }
    }

    private void pump(Socket from, Socket to, boolean fromSource) {
        byte[] buf = new byte[64 * 1024];
        int matched = 0; // bytes of HEADER seen in a row
        int overwrite = 0; // idstr bytes still to overwrite
        try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
            int n;
            while ((n = i.read(buf)) > 0) {
                for (int k = 0; fromSource && k < n; k++) {
                    if (overwrite > 0) {
                        buf[k] = 'x';
                        overwrite--;
                        continue;
                    }
                    matched = buf[k] == HEADER[matched] ? matched + 1 : buf[k] == HEADER[0] ? 1 : 0;
                    if (matched == HEADER.length) {
                        matched = 0;
                        if (done.compareAndSet(false, true)) {
                            overwrite = 256;
                        }
                    }
                }
                o.write(buf, 0, n);
            }
        } catch (IOException ended) {
            // one side closed: so does the other
        }
        closeQuietly(from);
        closeQuietly(to);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing is all we can do
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(PacketCorrupter::closeQuietly);
    }
}

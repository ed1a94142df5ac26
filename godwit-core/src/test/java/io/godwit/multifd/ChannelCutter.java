package io.godwit.multifd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A loopback TCP proxy in front of a destination that closes the multifd channel with a given id
 * (read from its init message) once that many bytes of it have gone through: both ends of that
 * one connection are closed, the others carry on.
 */
final class ChannelCutter implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final int channelId;
    private final long cutAfter;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final CountDownLatch cut = new CountDownLatch(1);

    ChannelCutter(String targetUri, int channelId, long cutAfter) throws IOException {
        String[] hp = targetUri.substring("tcp:".length()).split(":");
        this.target = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
        this.channelId = channelId;
        this.cutAfter = cutAfter;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptAll);
    }

    String uri() {
        return "tcp:127.0.0.1:" + server.getLocalPort();
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

    /** Copies from -> to; on the source's direction, watches for the channel to cut. */
    private void pump(Socket from, Socket to, boolean fromSource) {
        byte[] buf = new byte[64 * 1024];
        byte[] head = new byte[25];
        int headLen = 0;
        long passed = 0;
        boolean target = false;
        try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
            int n;
            while ((n = i.read(buf)) > 0) {
                if (fromSource && headLen < head.length) {
                    int k = Math.min(n, head.length - headLen);
                    System.arraycopy(buf, 0, head, headLen, k);
                    headLen += k;
                    ByteBuffer h = ByteBuffer.wrap(head);
                    target = headLen == head.length && h.getInt(0) == MultifdWire.MAGIC
                            && (head[24] & 0xff) == channelId;
                }
                // the target channel is cut at exactly cutAfter bytes: inside a packet, as a link fails
                int k = target ? (int) Math.min(n, Math.max(0, cutAfter - passed)) : n;
                o.write(buf, 0, k);
                passed += k;
                if (target && passed >= cutAfter) {
                    from.close();
                    to.close();
                    cut.countDown();
                    return;
                }
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
        sockets.forEach(ChannelCutter::closeQuietly);
    }
}

package io.godwit.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A loopback address whose connects never complete: a listener that is never accepted on, with
 * its accept queue full. Linux then drops further SYNs (tcp_abort_on_overflow 0, the default), so
 * a connect hangs as it does towards a blackholed host, until the kernel gives up after about two
 * minutes. Where the queue cannot be filled that way the test is skipped with the reason.
 */
public final class Blackhole implements AutoCloseable {
    private static final int MAX_CLIENTS = 64;
    private static final long PROBE_MS = 2_000;

    private final ServerSocketChannel server;
    private final List<SocketChannel> clients = new ArrayList<>();

    private Blackhole(ServerSocketChannel server) {
        this.server = server;
    }

    /** Fills the queue: connects until one connect stays pending for {@link #PROBE_MS}. */
    public static Blackhole open() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 1);
        Blackhole b = new Blackhole(server);
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < MAX_CLIENTS; i++) {
                SocketChannel c = SocketChannel.open();
                b.clients.add(c);
                c.configureBlocking(false);
                if (c.connect(server.getLocalAddress())) {
                    continue;
                }
                SelectionKey k = c.register(selector, SelectionKey.OP_CONNECT);
                selector.select(PROBE_MS);
                selector.selectedKeys().clear();
                k.cancel();
                if (!c.finishConnect()) {
                    return b; // this SYN was dropped: the queue is full and stays full
                }
            }
        } catch (IOException | RuntimeException e) {
            b.close();
            throw e;
        }
        b.close();
        Assumptions.abort("connects to a listener with a full accept queue complete here (" + MAX_CLIENTS
                + " did); no blackholed address to test with");
        return null;
    }

    /** tcp:127.0.0.1:PORT */
    public String uri() throws IOException {
        return "tcp:127.0.0.1:" + ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    @Override
    public void close() throws IOException {
        for (SocketChannel c : clients) {
            c.close();
        }
        server.close();
    }
}

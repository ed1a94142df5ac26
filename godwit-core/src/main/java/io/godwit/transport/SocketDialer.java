package io.godwit.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * The source's connect: non-blocking, with a selector, so that it ends at a timeout or at once
 * when another thread cancels it. A blocking connect to a peer that never answers would hold the
 * thread until the kernel gives up (over two minutes on Linux).
 */
final class SocketDialer {
    private SocketDialer() {}

    /** A connected, blocking channel to {@code address}; {@code timeoutMs} 0 waits as long as the kernel does. */
    static SocketChannel connect(SocketAddress address, String uri, long timeoutMs, ConnectAttempt attempt)
            throws IOException {
        SocketChannel ch = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        boolean connected = false;
        try {
            try (Selector selector = Selector.open()) {
                attempt.begin(ch, selector);
                ch.configureBlocking(false);
                if (!ch.connect(address)) {
                    ch.register(selector, SelectionKey.OP_CONNECT);
                    awaitConnected(ch, selector, uri, timeoutMs, attempt);
                }
            } finally {
                attempt.end();
            }
            ch.configureBlocking(true); // the selector is closed: the channel is no longer registered
            if (address instanceof InetSocketAddress) {
                SocketOptions.forMigration(ch);
            }
            connected = true;
            return ch;
        } catch (IOException e) {
            if (attempt.cancelled()) {
                throw new IOException(uri + ": connect cancelled", e);
            }
            throw e instanceof SocketTimeoutException ? e
                    : new IOException(uri + ": cannot connect: " + Transports.reason(e), e);
        } finally {
            if (!connected) {
                ch.close();
            }
        }
    }

    private static void awaitConnected(SocketChannel ch, Selector selector, String uri, long timeoutMs,
            ConnectAttempt attempt) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!ch.finishConnect()) {
            if (attempt.cancelled()) {
                throw new IOException("cancelled while connecting");
            }
            long left = deadline - System.nanoTime();
            if (timeoutMs > 0 && left <= 0) {
                throw new SocketTimeoutException(uri + ": cannot connect: no answer within " + timeoutMs
                        + " ms (x-connect-timeout)");
            }
            selector.select(timeoutMs > 0 ? Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)) : 0);
            selector.selectedKeys().clear();
        }
    }
}

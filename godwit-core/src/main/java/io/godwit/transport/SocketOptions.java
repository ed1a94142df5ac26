package io.godwit.transport;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import jdk.net.ExtendedSocketOptions;

/** Options of a TCP migration socket. */
final class SocketOptions {
    /** Keepalive probes start after this much silence... */
    static final int KEEPALIVE_IDLE_S = 15;
    /** ...go every this many seconds... */
    static final int KEEPALIVE_INTERVAL_S = 5;
    /** ...and this many unanswered ones end the connection: a vanished peer is noticed in ~35 s. */
    static final int KEEPALIVE_COUNT = 4;

    private SocketOptions() {}

    /** No Nagle delay (the return path's small messages), and keepalive so a silent partition ends. */
    static void forMigration(SocketChannel ch) throws IOException {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        if (ch.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPIDLE)) {
            ch.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, KEEPALIVE_IDLE_S);
            ch.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, KEEPALIVE_INTERVAL_S);
            ch.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, KEEPALIVE_COUNT);
        }
    }
}

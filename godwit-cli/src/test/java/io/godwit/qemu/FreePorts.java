package io.godwit.qemu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Free TCP ports on 127.0.0.1, for listeners that must be told their port in advance. Where a
 * listener accepts port 0 (QEMU's migrate-incoming, godwit run --incoming) prefer that and read
 * the port back: nothing can take it in between. Otherwise the kernel picks a port that is free
 * now (bind to 0, then close), and this JVM never hands out the same port twice; another process
 * could still take it before it is used, which is rare because Linux gives bind(0) and connect()
 * different halves of the ephemeral range.
 */
public final class FreePorts {
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();
    private static final int ATTEMPTS = 100;

    private FreePorts() {}

    /** A port on 127.0.0.1 that was free a moment ago and that no one in this JVM was given before. */
    public static int pick() {
        for (int i = 0; i < ATTEMPTS; i++) {
            try (ServerSocket s = new ServerSocket()) {
                // Java turns SO_REUSEADDR on by default; off, the kernel picks a port that no
                // socket uses at all, not even one in TIME_WAIT.
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                if (GIVEN.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot bind a TCP socket on 127.0.0.1 to find a free port", e);
            }
        }
        throw new IllegalStateException("no new free TCP port on 127.0.0.1 after " + ATTEMPTS + " attempts");
    }
}

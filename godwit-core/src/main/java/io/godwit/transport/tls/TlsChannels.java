package io.godwit.transport.tls;

import io.godwit.transport.ChannelWrapper;
import io.godwit.transport.Connection;
import io.godwit.transport.MigrationUri;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

/**
 * Wraps migration channels in TLS sessions (QEMU migration/tls.c): the source is the client, the
 * destination the server. x509 credentials run on the JDK's SSLEngine (TLS 1.3 and 1.2, whichever
 * the peer prefers, as GnuTLS negotiates); PSK credentials on BouncyCastle (TLS 1.2 with
 * ECDHE-PSK or DHE-PSK). The handshake runs when the channel is wrapped, on the caller's thread,
 * within {@link TlsSettings#handshakeTimeout()}.
 */
public final class TlsChannels {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /** The JDK's switch for the session tickets a TLS 1.3 server sends after the handshake. */
    static final String TICKETS = "jdk.tls.server.newSessionTicketCount";

    static {
        // A source without a return path never reads its channel: a ticket left unread there makes
        // its close a reset, which drops the end of the stream still in its send buffer (QEMU 7.2
        // closes right after its last write). Migration sessions are never resumed, so send none.
        // The JDK reads this once, when its TLS configuration is first loaded.
        if (System.getProperty(TICKETS) == null) {
            System.setProperty(TICKETS, "0");
        }
    }

    private TlsChannels() {}

    /** The wrapper for channels this side opens ({@code creds} must be for a client). */
    public static ChannelWrapper client(TlsSettings s) {
        requireEndpoint(s.creds(), TlsEndpoint.CLIENT);
        return raw -> wrap(raw, s);
    }

    /** The wrapper for channels this side accepts ({@code creds} must be for a server). */
    public static ChannelWrapper server(TlsSettings s) {
        requireEndpoint(s.creds(), TlsEndpoint.SERVER);
        return raw -> wrap(raw, s);
    }

    /** QEMU's check, with its message, when the parameters name credentials for the other side. */
    public static void requireEndpoint(TlsCreds creds, TlsEndpoint endpoint) {
        if (creds.endpoint() != endpoint) {
            throw new IllegalArgumentException("Expected TLS credentials for a " + endpoint.qmpName + " endpoint");
        }
    }

    private static Connection wrap(Connection raw, TlsSettings s) throws IOException {
        if (!raw.bidirectional()) {
            closeQuietly(raw);
            throw new IOException("TLS needs a channel in both directions; " + raw.uri() + " is one-way");
        }
        CountDownLatch done = new CountDownLatch(1);
        AtomicBoolean timedOut = new AtomicBoolean();
        Thread.ofVirtual().name("godwit-tls-handshake-timer").start(() -> {
            try {
                if (!done.await(s.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    timedOut.set(true);
                    raw.shutdown();
                }
            } catch (InterruptedException ignored) {
                // the handshake ended
            }
        });
        try {
            return s.creds() instanceof PskCreds psk ? PskConnection.handshake(raw, psk) : x509(raw, s);
        } catch (IOException | RuntimeException e) {
            closeQuietly(raw);
            if (timedOut.get()) {
                throw new IOException("TLS handshake on " + raw.uri() + " did not complete within "
                        + s.handshakeTimeout().toSeconds() + " s", e);
            }
            throw e;
        } catch (NoClassDefFoundError e) {
            closeQuietly(raw);
            throw new IOException("tls-creds-psk needs BouncyCastle (bctls-jdk18on) on the class path", e);
        } finally {
            done.countDown();
        }
    }

    private static Connection x509(Connection raw, TlsSettings s) throws IOException {
        X509Creds creds = (X509Creds) s.creds();
        boolean server = creds.endpoint() == TlsEndpoint.SERVER;
        String host = server ? null : hostname(s.hostname(), raw.uri());
        SSLEngine engine;
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(new KeyManager[] {new X509Key(creds)},
                    new TrustManager[] {new X509Trust(creds, host, server ? s.authz() : null)}, new SecureRandom());
            engine = host != null && HostnameCheck.literal(host) == null ? ctx.createSSLEngine(host, 0)
                    : ctx.createSSLEngine();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS with " + creds.type() + " '" + creds.id() + "': " + e.getMessage(), e);
        }
        engine.setUseClientMode(!server);
        SSLParameters p = engine.getSSLParameters();
        p.setProtocols(PROTOCOLS);
        p.setCipherSuites(preferred(p.getCipherSuites()));
        p.setUseCipherSuitesOrder(true);
        if (server && creds.verifyPeer()) {
            p.setNeedClientAuth(true);
        } else if (server) {
            p.setWantClientAuth(true); // QEMU asks for a certificate even when it does not check it
        }
        engine.setSSLParameters(p);
        EngineConnection c = new EngineConnection(raw, engine, creds.endpoint());
        c.handshake();
        return c;
    }

    /** AES-128-GCM first: the migration's bulk cipher, and the fastest the JDK has on AES-NI. */
    static String[] preferred(String[] suites) {
        List<String> order = new ArrayList<>(List.of(suites));
        for (String fast : List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "TLS_AES_128_GCM_SHA256")) {
            if (order.remove(fast)) {
                order.addFirst(fast);
            }
        }
        return order.toArray(String[]::new);
    }

    /** tls-hostname when set, else the host of a tcp: URI; null when there is none (unix:, exec:). */
    static String hostname(String configured, String uri) {
        if (configured != null && !configured.isEmpty()) {
            return configured;
        }
        try {
            MigrationUri u = MigrationUri.parse(uri);
            return u.scheme() == MigrationUri.Scheme.TCP ? u.host() : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already failing
        }
    }
}

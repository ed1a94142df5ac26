package io.godwit.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.godwit.stream.ByteSink;
import io.godwit.stream.ByteSource;
import io.godwit.transport.Connection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** TLS sessions over real tcp sockets: data both ways at once, and each refusal with its reason. */
@Timeout(120)
class TlsChannelsTest {
    private static final String CLIENT_DN = "C=GB,O=Godwit Test,CN=client.example.com";
    /** GnuTLS names a certificate in the order it holds its attributes. */
    private static final String CLIENT_NAME = CLIENT_DN;

    @TempDir
    static Path dir;
    static TestPki ca;
    static Path server;
    static Path client;

    @BeforeAll
    static void pki() throws IOException {
        ca = TestPki.create("Godwit Test CA");
        server = dir.resolve("server");
        client = dir.resolve("client");
        ca.writeServer(server, "server.example.com", List.of("server.example.com", "127.0.0.1"));
        ca.writeClient(client, CLIENT_DN);
    }

    private static X509Creds load(Path d, TlsEndpoint e) throws IOException {
        return X509Creds.load("tls0", d, e, true, true);
    }

    private static TlsSettings clientSettings(Path d, String hostname) throws IOException {
        return new TlsSettings(load(d, TlsEndpoint.CLIENT), hostname, null);
    }

    private static TlsSettings serverSettings(Path d, Authz authz) throws IOException {
        return new TlsSettings(load(d, TlsEndpoint.SERVER), null, authz);
    }

    @Test
    void x509SessionCarriesTheStreamOneWayAndTheReturnPathTheOther() throws Exception {
        try (TlsPair p = TlsPair.open(TlsChannels.client(clientSettings(client, null)),
                TlsChannels.server(serverSettings(server, null)))) {
            assertThat(((EngineConnection) p.client()).describeSession()).startsWith("TLSv1.3 ");
            exchange(p, 24 << 20);
        }
    }

    @Test
    void pskSessionCarriesTheStreamOneWayAndTheReturnPathTheOther() throws Exception {
        byte[] key = new byte[32];
        new Random(7).nextBytes(key);
        TestPki.writePsk(dir.resolve("psk"), "qemu", key);
        PskCreds c = PskCreds.load("psk0", dir.resolve("psk"), TlsEndpoint.CLIENT, null);
        PskCreds s = PskCreds.load("psk1", dir.resolve("psk"), TlsEndpoint.SERVER, null);
        try (TlsPair p = TlsPair.open(TlsChannels.client(new TlsSettings(c, null, null)),
                TlsChannels.server(new TlsSettings(s, null, null)))) {
            exchange(p, 8 << 20);
        }
    }

    /** The source writes {@code size} random bytes while the destination answers on the return path. */
    private static void exchange(TlsPair p, int size) throws Exception {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        byte[] answer = "SHUT 0 from the destination".getBytes();
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readAll(p.server().input()));
        CompletableFuture<byte[]> returned = CompletableFuture.supplyAsync(() -> readAll(p.client().input()));
        write(p.client().output(), data);
        p.client().output().close();
        assertThat(digest(received.get(60, TimeUnit.SECONDS))).isEqualTo(digest(data));
        write(p.server().output(), answer);
        p.server().output().close();
        assertThat(returned.get(60, TimeUnit.SECONDS)).isEqualTo(answer);
    }

    static void write(ByteSink sink, byte[] data) throws IOException {
        ByteBuffer b = sink.swap(null);
        int off = 0;
        while (off < data.length) {
            int n = Math.min(b.remaining(), data.length - off);
            b.put(data, off, n);
            off += n;
            b = sink.swap(b.flip());
        }
    }

    static byte[] readAll(ByteSource source) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ByteBuffer b = null;
            while ((b = source.next(b)) != null) {
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.writeBytes(chunk);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] digest(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    @Test
    void clientRefusesAServerCertificateForAnotherHost() throws Exception {
        TlsPair.Outcome o = TlsPair.attempt(TlsChannels.client(clientSettings(client, "other.example.com")),
                TlsChannels.server(serverSettings(server, null)));
        assertThat(o.clientError()).hasMessageContaining("Certificate does not match the hostname other.example.com");
        assertThat(o.serverError()).hasMessageContaining("refused this destination's certificate");
    }

    @Test
    void serverRefusesAClientCertificateFromAnotherCa() throws Exception {
        Path stranger = dir.resolve("stranger");
        TestPki.create("Another CA").writeClient(stranger, CLIENT_DN);
        TlsPair.Outcome o = TlsPair.attempt(TlsChannels.client(new TlsSettings(
                X509Creds.load("x", stranger, TlsEndpoint.CLIENT, false, true), null, null)),
                TlsChannels.server(serverSettings(server, null)));
        assertThat(o.serverError()).hasMessageContaining("The certificate hasn't got a known issuer")
                .hasMessageContaining(CLIENT_NAME);
        assertRefusedAfterHandshake(o, "refused this source's certificate");
    }

    @Test
    void serverRefusesAClientWhoseNameTheAuthzListDenies() throws Exception {
        Authz only = new AuthzList("auth0", AuthzList.Policy.DENY, List.of(
                new AuthzList.Rule("C=GB,O=Godwit Test,CN=*.trusted.example.com", AuthzList.Policy.ALLOW,
                        AuthzList.Format.GLOB)));
        TlsPair.Outcome o = TlsPair.attempt(TlsChannels.client(clientSettings(client, null)),
                TlsChannels.server(serverSettings(server, only)));
        assertThat(o.serverError()).hasMessageContaining("TLS x509 authz check for " + CLIENT_NAME + " is denied");
        assertRefusedAfterHandshake(o, "refused this source's certificate");
    }

    @Test
    void authzListAllowsTheClientItNames() throws Exception {
        Authz exact = new AuthzList("auth0", AuthzList.Policy.DENY, List.of(
                new AuthzList.Rule(CLIENT_NAME, AuthzList.Policy.ALLOW, AuthzList.Format.EXACT)));
        try (TlsPair p = TlsPair.open(TlsChannels.client(clientSettings(client, null)),
                TlsChannels.server(serverSettings(server, exact)))) {
            exchange(p, 1 << 20);
        }
    }

    /**
     * In TLS 1.3 the server judges the client's certificate after the client's handshake is over:
     * the client learns of the refusal at its first use of the session, with the reason.
     */
    private static void assertRefusedAfterHandshake(TlsPair.Outcome o, String reason) throws Exception {
        if (o.clientError() != null) {
            assertThat(o.clientError()).hasMessageContaining(reason);
            return;
        }
        Connection c = o.client();
        assertThatThrownBy(() -> {
            write(c.output(), new byte[16 << 20]);
            readAll(c.input());
            throw new AssertionError("the refused client could write and read");
        }).hasMessageContaining(reason);
        c.close();
    }

    @Test
    void pskServerRefusesAWrongKey() throws Exception {
        TestPki.writePsk(dir.resolve("psk-a"), "qemu", new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        TestPki.writePsk(dir.resolve("psk-b"), "qemu", new byte[] {8, 7, 6, 5, 4, 3, 2, 1});
        TlsPair.Outcome o = TlsPair.attempt(
                TlsChannels.client(new TlsSettings(PskCreds.load("a", dir.resolve("psk-a"), TlsEndpoint.CLIENT, null),
                        null, null)),
                TlsChannels.server(new TlsSettings(PskCreds.load("b", dir.resolve("psk-b"), TlsEndpoint.SERVER, null),
                        null, null)));
        assertThat(o.serverError()).hasMessageContaining("pre-shared key for qemu does not match");
        assertThat(o.clientError()).hasMessageContaining("refused this source's pre-shared key");
    }

    @Test
    void handshakeWithASilentPeerTimesOut() throws Exception {
        TlsSettings s = new TlsSettings(load(server, TlsEndpoint.SERVER), null, null, java.time.Duration.ofMillis(200));
        // a client that opens a handshake record and then says nothing more
        TlsPair.Outcome o = TlsPair.attempt(raw -> {
            java.nio.ByteBuffer b = raw.output().swap(null);
            b.put(new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xff, 0x01, 0x00, 0x00}).flip();
            raw.output().swap(b);
            return raw;
        }, TlsChannels.server(s));
        assertThat(o.serverError()).hasMessageContaining("did not complete within");
        o.client().close();
    }
}

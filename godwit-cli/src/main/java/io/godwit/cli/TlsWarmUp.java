package io.godwit.cli;

import io.godwit.bench.BenchCredentials;
import io.godwit.stream.ByteSink;
import io.godwit.stream.ByteSource;
import io.godwit.transport.ChannelWrapper;
import io.godwit.transport.Connection;
import io.godwit.transport.Listener;
import io.godwit.transport.Transports;
import io.godwit.transport.tls.PskCreds;
import io.godwit.transport.tls.TlsChannels;
import io.godwit.transport.tls.TlsEndpoint;
import io.godwit.transport.tls.TlsSettings;
import io.godwit.transport.tls.X509Creds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The TLS part of {@code --warm-up}: a few loopback sessions, x509 and PSK, carrying data until the
 * JIT has compiled the record paths, so a benchmark's fresh destination does not decrypt its first
 * migration in the interpreter. Throw-away credentials, removed afterwards.
 */
final class TlsWarmUp {
    private static final long BYTES = 64L << 20;
    private static final int ROUNDS = 4;

    private TlsWarmUp() {}

    static void run() throws Exception {
        Path dir = Files.createTempDirectory("godwit-warm-up-tls-");
        try {
            BenchCredentials.write(dir);
            for (int i = 0; i < ROUNDS; i++) {
                exchange(TlsChannels.client(new TlsSettings(X509Creds.load("c", dir, TlsEndpoint.CLIENT, true, true),
                        BenchCredentials.HOST, null)), TlsChannels.server(new TlsSettings(
                        X509Creds.load("s", dir, TlsEndpoint.SERVER, true, true), null, null)));
                exchange(TlsChannels.client(new TlsSettings(PskCreds.load("c", dir, TlsEndpoint.CLIENT, null), null,
                        null)), TlsChannels.server(new TlsSettings(PskCreds.load("s", dir, TlsEndpoint.SERVER, null),
                        null, null)));
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    private static void exchange(ChannelWrapper client, ChannelWrapper server) throws Exception {
        // a TLS listener: a plain one wants a stream header first and closes a ClientHello
        try (Listener l = Transports.listen("tcp:127.0.0.1:0", () -> 0, notice -> { }, true)) {
            CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> {
                try (Connection s = server.wrap(l.accept())) {
                    return drain(s.input());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (Connection c = client.wrap(Transports.connect(l.address()))) {
                ByteSink out = c.output();
                ByteBuffer b = out.swap(null);
                for (long sent = 0; sent < BYTES; ) {
                    int n = (int) Math.min(b.remaining(), BYTES - sent);
                    b.position(b.position() + n);
                    sent += n;
                    b = out.swap(b.flip());
                }
                out.close();
                received.get(1, TimeUnit.MINUTES);
            }
        }
    }

    private static long drain(ByteSource in) throws IOException {
        long n = 0;
        ByteBuffer b = null;
        while ((b = in.next(b)) != null) {
            n += b.remaining();
            b.position(b.limit());
        }
        return n;
    }
}

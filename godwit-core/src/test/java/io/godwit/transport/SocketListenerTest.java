package io.godwit.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The destination's listener serves the first connection that sends a stream header, and closes
 * those that send something else, nothing for too long, or that wait in excess.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SocketListenerTest {
    static final byte[] HEADER = HexFormat.of().parseHex("5145564d00000003");
    static final byte[] REST = "the rest of the stream".getBytes(StandardCharsets.US_ASCII);

    final List<String> notices = new CopyOnWriteArrayList<>();

    static SocketChannel connect(Listener l) throws IOException {
        return SocketChannel.open(new InetSocketAddress("127.0.0.1", MigrationUri.parse(l.address()).port()));
    }

    static CompletableFuture<Connection> acceptInBackground(Listener l) {
        CompletableFuture<Connection> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(l.accept());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /** Everything {@code c} delivers, up to {@code n} bytes. */
    static byte[] read(Connection c, int n) throws IOException {
        ByteBuffer got = ByteBuffer.allocate(n);
        ByteBuffer b = null;
        while (got.hasRemaining() && (b = c.input().next(b)) != null) {
            while (b.hasRemaining() && got.hasRemaining()) {
                got.put(b.get());
            }
        }
        return got.flip().array();
    }

    static byte[] stream() {
        return ByteBuffer.allocate(HEADER.length + REST.length).put(HEADER).put(REST).array();
    }

    @Test
    void servesTheConnectionThatSendsAHeaderWhileAnotherStaysSilent() throws Exception {
        try (Listener l = Transports.listen("tcp:127.0.0.1:0", () -> 0, notices::add)) {
            CompletableFuture<Connection> accepted = acceptInBackground(l);
            try (SocketChannel idle = connect(l); SocketChannel source = connect(l)) {
                source.write(ByteBuffer.wrap(stream()));
                try (Connection c = accepted.get(20, TimeUnit.SECONDS)) {
                    assertThat(read(c, HEADER.length + REST.length)).as("the header first, then the rest")
                            .isEqualTo(stream());
                }
                assertThat(idle.read(ByteBuffer.allocate(1))).as("the silent one is closed").isEqualTo(-1);
            }
        }
    }

    @Test
    void closesAConnectionSilentPastTheIdleTimeoutAndSaysSo() throws Exception {
        try (Listener l = Transports.listen("tcp:127.0.0.1:0", () -> 200, notices::add)) {
            CompletableFuture<Connection> accepted = acceptInBackground(l);
            try (SocketChannel idle = connect(l)) {
                assertThat(idle.read(ByteBuffer.allocate(1))).isEqualTo(-1);
                assertThat(notices).singleElement().asString().contains(" closed: no stream header within 200 ms "
                        + "(x-incoming-idle-timeout)");
            }
            try (SocketChannel source = connect(l)) {
                source.write(ByteBuffer.wrap(stream()));
                try (Connection c = accepted.get(20, TimeUnit.SECONDS)) {
                    assertThat(read(c, HEADER.length)).isEqualTo(HEADER);
                }
            }
        }
    }

    @Test
    void closesAConnectionThatSendsSomethingElseAndGoesOnListening() throws Exception {
        try (Listener l = Transports.listen("tcp:127.0.0.1:0", () -> 0, notices::add)) {
            CompletableFuture<Connection> accepted = acceptInBackground(l);
            try (SocketChannel http = connect(l)) {
                http.write(ByteBuffer.wrap("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)));
                assertThat(http.read(ByteBuffer.allocate(1))).isEqualTo(-1);
                assertThat(notices).singleElement().asString()
                        .contains("it sent 0x474554202f204854; expected a migration stream header 0x5145564d00000003");
            }
            try (SocketChannel source = connect(l)) {
                source.write(ByteBuffer.wrap(stream()));
                try (Connection c = accepted.get(20, TimeUnit.SECONDS)) {
                    assertThat(read(c, HEADER.length)).isEqualTo(HEADER);
                }
            }
        }
    }

    @Test
    void withTlsWaitsForAHandshakeAndRefusesAPlainStream() throws Exception {
        byte[] hello = {0x16, 0x03, 0x01, 0x00, (byte) 0xf0, 0x01, 0x00, 0x00, 0x00};
        try (Listener l = Transports.listen("tcp:127.0.0.1:0", () -> 0, notices::add, true)) {
            CompletableFuture<Connection> accepted = acceptInBackground(l);
            try (SocketChannel plain = connect(l)) {
                plain.write(ByteBuffer.wrap(stream()));
                assertThat(plain.read(ByteBuffer.allocate(1))).isEqualTo(-1);
                assertThat(notices).singleElement().asString().contains("expected a TLS handshake record");
            }
            try (SocketChannel client = connect(l)) {
                client.write(ByteBuffer.wrap(hello));
                try (Connection c = accepted.get(20, TimeUnit.SECONDS)) {
                    assertThat(read(c, hello.length)).isEqualTo(hello);
                }
            }
        }
    }

    @Test
    void closesTheOldestWhenTooManyWait() throws Exception {
        try (Listener l = Transports.listen("tcp:127.0.0.1:0", () -> 0, notices::add)) {
            CompletableFuture<Connection> accepted = acceptInBackground(l);
            List<SocketChannel> idle = new ArrayList<>();
            try {
                for (int i = 0; i <= SocketListener.MAX_WAITING; i++) {
                    idle.add(connect(l));
                }
                assertThat(idle.getFirst().read(ByteBuffer.allocate(1))).isEqualTo(-1);
                assertThat(notices).singleElement().asString().contains("this is the oldest");
                try (SocketChannel source = connect(l)) {
                    source.write(ByteBuffer.wrap(stream()));
                    accepted.get(20, TimeUnit.SECONDS).close();
                }
            } finally {
                for (SocketChannel c : idle) {
                    c.close();
                }
            }
        }
    }

    @Test
    void closeWakesAnAcceptThatWaits() throws Exception {
        Listener l = Transports.listen("tcp:127.0.0.1:0", () -> 0, notices::add);
        CompletableFuture<Connection> accepted = acceptInBackground(l);
        try (SocketChannel idle = connect(l)) {
            l.close();
            assertThatThrownBy(() -> accepted.get(20, TimeUnit.SECONDS)).hasMessageContaining("stopped listening");
        }
    }

    @Test
    void unixListenerServesTheSourceToo(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("in.sock");
        try (Listener l = Transports.listen("unix:" + sock, () -> 0, notices::add)) {
            CompletableFuture<Connection> accepted = acceptInBackground(l);
            try (SocketChannel idle = SocketChannel.open(UnixDomainSocketAddress.of(sock));
                    SocketChannel source = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                source.write(ByteBuffer.wrap(stream()));
                try (Connection c = accepted.get(20, TimeUnit.SECONDS)) {
                    assertThat(read(c, HEADER.length + REST.length)).isEqualTo(stream());
                }
            }
        }
    }

    @Test
    void migrationSocketsKeepAliveOnBothEnds() throws Exception {
        try (Listener l = Transports.listen("tcp:127.0.0.1:0", () -> 0, notices::add)) {
            CompletableFuture<Connection> accepted = acceptInBackground(l);
            try (Connection out = Transports.connect(l.address(), 5_000, new ConnectAttempt())) {
                out.output().swap(ByteBuffer.wrap(HEADER));
                try (Connection in = accepted.get(20, TimeUnit.SECONDS)) {
                    for (Connection c : List.of(out, in)) {
                        SocketChannel ch = ((SocketConnection) c).channel();
                        assertThat(ch.getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
                        assertThat(ch.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
                        assertThat(ch.getOption(ExtendedSocketOptions.TCP_KEEPIDLE))
                                .isEqualTo(SocketOptions.KEEPALIVE_IDLE_S);
                        assertThat(ch.isBlocking()).isTrue();
                    }
                }
            }
        }
    }

    @Test
    void cancelledAttemptRefusesToConnect() throws Exception {
        try (Listener l = Transports.listen("tcp:127.0.0.1:0", () -> 0, notices::add)) {
            ConnectAttempt attempt = new ConnectAttempt();
            attempt.cancel();
            assertThatThrownBy(() -> Transports.connect(l.address(), 0, attempt))
                    .hasMessage(l.address() + ": connect cancelled");
        }
    }
}

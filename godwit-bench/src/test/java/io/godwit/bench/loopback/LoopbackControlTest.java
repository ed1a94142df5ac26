package io.godwit.bench.loopback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What bench loopback's peers and bench refuse on their control and data connections. */
class LoopbackControlTest {
    private ServerSocket server;
    private Socket writer;
    private LoopbackControl control;

    @BeforeEach
    void connect() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        writer = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        control = new LoopbackControl(server.accept(), "the peer");
    }

    @AfterEach
    void close() throws IOException {
        control.close();
        writer.close();
        server.close();
    }

    private void peerWrites(String text) throws IOException {
        OutputStream out = writer.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Test
    void readsAWordAndItsNumbers() throws IOException {
        peerWrites("sent cpu-ns=1234\n");

        assertThat(control.expect("sent").number("cpu-ns", 0, Long.MAX_VALUE)).isEqualTo(1234);
    }

    @Test
    void refusesALineLongerThanTheLimit() throws IOException {
        peerWrites("crc value=" + "1".repeat(LoopbackControl.MAX_LINE) + "\n");

        assertThatThrownBy(control::receive).hasMessageContaining("over " + LoopbackControl.MAX_LINE + " bytes");
    }

    @Test
    void refusesAControlByte() throws IOException {
        peerWrites("ready\0\n");

        assertThatThrownBy(control::receive).hasMessageContaining("byte 0x0 at 5");
    }

    @Test
    void refusesANumberOutOfRangeOrMissing() throws IOException {
        peerWrites("prepare bytes=2048 read-max=x\n");
        LoopbackControl.Message m = control.receive();

        assertThatThrownBy(() -> m.number("bytes", 4096, 1 << 20)).hasMessage(
                "the peer sent bytes=2048, expected 4096 to 1048576");
        assertThatThrownBy(() -> m.number("read-max", 1, 10)).hasMessageContaining("read-max=x, expected a number");
        assertThatThrownBy(() -> m.number("chunk", 1, 10)).hasMessageContaining("'prepare' without chunk");
    }

    @Test
    void refusesAnotherWordThanExpected() throws IOException {
        peerWrites("connected\n");

        assertThatThrownBy(() -> control.expect("sent")).hasMessage(
                "the peer sent 'connected' where 'sent' was expected");
    }

    @Test
    void refusesAConnectionCutMidLine() throws IOException {
        peerWrites("recei");
        writer.close();

        assertThatThrownBy(control::receive).hasMessageContaining("closed the control connection mid-line");
    }

    @Test
    void receiverRefusesADataConnectionWithAnIndexOutOfRange() throws IOException {
        try (Arena arena = Arena.ofConfined();
                ServerSocketChannel data = ServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel sender = SocketChannel.open(data.getLocalAddress())) {
            sender.write(ByteBuffer.allocate(4).putInt(0, 2));
            LoopbackReceiver receiver = new LoopbackReceiver(arena.allocate(1 << 16), 2, data);

            assertThatThrownBy(() -> receiver.prepare(1 << 16)).hasMessage(
                    "a connection announced index 2, expected an unused one of 0 to 1");
        }
    }

    @Test
    void receiverRefusesTwoDataConnectionsWithOneIndex() throws IOException {
        try (Arena arena = Arena.ofConfined();
                ServerSocketChannel data = ServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel first = SocketChannel.open(data.getLocalAddress());
                SocketChannel second = SocketChannel.open(data.getLocalAddress())) {
            first.write(ByteBuffer.allocate(4).putInt(0, 1));
            second.write(ByteBuffer.allocate(4).putInt(0, 1));
            LoopbackReceiver receiver = new LoopbackReceiver(arena.allocate(1 << 16), 2, data);

            assertThatThrownBy(() -> receiver.prepare(1 << 16)).hasMessageContaining("announced index 1");
        }
    }

    @Test
    void sharesCoverTheBytesOnPageBoundaries() {
        long bytes = (3L << 20) + 100;
        for (int n = 1; n <= LoopbackPeer.MAX_CONNECTIONS; n++) {
            assertThat(LoopbackMemory.shareStart(bytes, n, 0)).isZero();
            assertThat(LoopbackMemory.shareStart(bytes, n, n)).isEqualTo(bytes);
            for (int i = 1; i < n; i++) {
                assertThat(LoopbackMemory.shareStart(bytes, n, i) % LoopbackMemory.PAGE).isZero();
                assertThat(LoopbackMemory.shareStart(bytes, n, i)).isGreaterThan(LoopbackMemory.shareStart(bytes, n, i - 1));
            }
        }
    }
}

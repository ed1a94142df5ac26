package io.godwit.multifd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SocketPageReaderTest {
    private SocketChannel writer;
    private SocketChannel reader;

    @BeforeEach
    void connect() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            writer = SocketChannel.open(server.getLocalAddress());
            reader = server.accept();
        }
    }

    @AfterEach
    void close() throws IOException {
        writer.close();
        reader.close();
    }

    private void send(int... values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length);
        for (int v : values) {
            b.put((byte) v);
        }
        b.flip();
        while (b.hasRemaining()) {
            writer.write(b);
        }
    }

    @Test
    void readAheadBytesComeBeforeTheSocketsAndFillBuffersInOrder() throws IOException {
        SocketPageReader r = new SocketPageReader(reader, new byte[] {1, 2, 3}, 64, "channel 0");
        send(4, 5, 6, 7, 8, 9, 10);
        ByteBuffer header = ByteBuffer.allocate(2);
        assertThat(r.readHeader(header)).isTrue();
        ByteBuffer a = ByteBuffer.allocateDirect(3);
        ByteBuffer b = ByteBuffer.allocateDirect(2);
        r.readPages(new ByteBuffer[] {a, b}, 2, 5);

        assertThat(header.array()).containsExactly(1, 2);
        assertThat(new byte[] {a.get(0), a.get(1), a.get(2), b.get(0), b.get(1)}).containsExactly(3, 4, 5, 6, 7);
        assertThat(r.position()).isEqualTo(64 + 7);
    }

    @Test
    void aStreamThatEndsBetweenPacketsEndsCleanly() throws IOException {
        SocketPageReader r = new SocketPageReader(reader, new byte[0], 0, "channel 0");
        writer.shutdownOutput();
        assertThat(r.readHeader(ByteBuffer.allocate(4))).isFalse();
    }

    @Test
    void refusesAStreamThatEndsInsideAHeaderOrPages() throws IOException {
        SocketPageReader r = new SocketPageReader(reader, new byte[] {1}, 0, "multifd channel 3");
        send(2);
        writer.shutdownOutput();
        assertThatThrownBy(() -> r.readHeader(ByteBuffer.allocate(4)))
                .hasMessage("multifd channel 3 ended at byte 2, 2 bytes short of a 4-byte packet header");
    }

    @Test
    void refusesAStreamThatEndsInsidePages() throws IOException {
        SocketPageReader r = new SocketPageReader(reader, new byte[0], 10, "multifd channel 1");
        send(1, 2, 3);
        writer.shutdownOutput();
        assertThatThrownBy(() -> r.readPages(new ByteBuffer[] {ByteBuffer.allocateDirect(8)}, 1, 8))
                .hasMessage("multifd channel 1 ended at byte 13, 5 bytes short of a 8-byte page run");
    }
}

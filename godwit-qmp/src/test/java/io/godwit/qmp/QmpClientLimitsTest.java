package io.godwit.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The client bounds what a server sends it, as the server bounds what clients send. */
class QmpClientLimitsTest {
    private static final String GREETING = "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n";

    /** A one-connection server: greets, answers qmp_capabilities, then runs {@code then}. */
    private interface Script {
        void run(BufferedReader in, OutputStream out) throws IOException;
    }

    private static CompletableFuture<Void> serve(ServerSocket server, Script then) {
        return CompletableFuture.runAsync(() -> {
            try (Socket s = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                OutputStream out = s.getOutputStream();
                out.write(GREETING.getBytes(StandardCharsets.UTF_8));
                in.readLine();
                out.write("{\"return\": {}}\n".getBytes(StandardCharsets.UTF_8));
                then.run(in, out);
            } catch (IOException closedByTheClient) {
                // expected when the client gives up on a line too long
            }
        });
    }

    @Test
    void aReplyLineOverTheLimitClosesTheConnectionInsteadOfGrowing() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> done = serve(server, (in, out) -> {
                in.readLine();
                byte[] chunk = new byte[1 << 20];
                Arrays.fill(chunk, (byte) 'x');
                for (int i = 0; i < 64; i++) { // 64 MiB, no newline
                    out.write(chunk);
                }
            });
            try (QmpClient c = QmpClient.connect("tcp:127.0.0.1:" + server.getLocalPort())) {
                assertThatThrownBy(() -> c.execute("query-status"))
                        .isInstanceOf(IOException.class).hasMessageContaining("QMP connection closed");
            }
            done.get();
        }
    }

    @Test
    void unreadEventsAreBoundedAndTheNewestAreKept() throws Exception {
        int sent = QmpClient.MAX_EVENTS + 100;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> done = serve(server, (in, out) -> {
                in.readLine();
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < sent; i++) {
                    b.append("{\"event\": \"TICK\", \"data\": {\"n\": ").append(i).append("}}\n");
                }
                b.append("{\"return\": {\"status\": \"running\"}}\n");
                out.write(b.toString().getBytes(StandardCharsets.UTF_8));
                in.readLine(); // until the client closes
            });
            try (QmpClient c = QmpClient.connect("tcp:127.0.0.1:" + server.getLocalPort())) {
                assertThat(c.execute("query-status").path("status").asText()).isEqualTo("running");
                List<JsonNode> events = c.drainEvents();
                assertThat(events).hasSize(QmpClient.MAX_EVENTS);
                assertThat(events.getLast().path("data").path("n").asInt()).isEqualTo(sent - 1);
            }
            done.get();
        }
    }

    @Test
    void aGreetingThatIsNotJsonIsRefusedWithAShortMessage() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write(("SSH-2.0-" + "y".repeat(5000) + "\n").getBytes(StandardCharsets.UTF_8));
                    s.getInputStream().read();
                } catch (IOException ignored) {
                    // the client closed
                }
            });
            assertThatThrownBy(() -> QmpClient.connect("tcp:127.0.0.1:" + server.getLocalPort()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("not a QMP server (greeting: SSH-2.0-")
                    .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
            done.get();
        }
    }
}

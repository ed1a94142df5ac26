package io.godwit.monitor;

import static io.godwit.monitor.ConnectCancelTest.source;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.machine.RunState;
import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationStatus;
import io.godwit.options.Capability;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Peers that stop talking are timed out, never waited for: a connection that sends nothing does
 * not hold a destination's port, a source that goes silent fails the incoming migration, and a
 * destination that never confirms leaves the source failed and paused (it may be running).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StalledPeerTest {
    static final byte[] HEADER = HexFormat.of().parseHex("5145564d00000003");

    static SocketChannel connect(String tcpUri) throws IOException {
        int port = Integer.parseInt(tcpUri.substring(tcpUri.lastIndexOf(':') + 1));
        return SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
    }

    @Test
    void idleConnectionDoesNotKeepTheSourceOut() throws Exception {
        try (Machine src = source(); Machine dst = new Machine("dst");
                Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE);
                Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE)) {
            String uri = in.migrateIncoming("tcp:127.0.0.1:0");
            try (SocketChannel idle = connect(uri)) {
                out.migrate(uri);

                MigrationInfo info = Await.end(out);

                assertThat(info.status()).as("%s", info.errorDesc()).isEqualTo(MigrationStatus.COMPLETED);
                assertThat(Await.end(in).status()).isEqualTo(MigrationStatus.COMPLETED);
                assertThat(MachineDigest.of(dst).overall()).isEqualTo(MachineDigest.of(src).overall());
                assertThat(idle.read(ByteBuffer.allocate(1))).as("the idle connection is closed").isEqualTo(-1);
            }
        }
    }

    @Test
    void silentSourceFailsTheIncomingMigrationAfterTheReadTimeout() throws Exception {
        try (Machine dst = new Machine("dst"); Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE)) {
            in.setParameters(Map.of("x-incoming-read-timeout", 300L));
            String uri = in.migrateIncoming("tcp:127.0.0.1:0");
            try (SocketChannel silent = connect(uri)) {
                silent.write(ByteBuffer.wrap(HEADER)); // then nothing more, and the connection stays open

                MigrationInfo info = Await.end(in);

                assertThat(info.status()).isEqualTo(MigrationStatus.FAILED);
                assertThat(info.errorDesc()).isEqualTo("no data from the source for 300 ms (x-incoming-read-timeout)");
                assertThat(dst.state()).as("never runs half-loaded").isEqualTo(RunState.INMIGRATE);
                assertThat(dst.isBlank()).isTrue();
            }
            // and it takes the next source
            try (Machine src = source(); Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE)) {
                String again = in.migrateIncoming("tcp:127.0.0.1:0");
                out.migrate(again);
                assertThat(Await.end(out).status()).isEqualTo(MigrationStatus.COMPLETED);
                assertThat(Await.end(in).status()).isEqualTo(MigrationStatus.COMPLETED);
                assertThat(dst.state()).isEqualTo(RunState.RUNNING);
            }
        }
    }

    @Test
    void destinationThatNeverConfirmsLeavesTheSourceFailedAndPaused() throws Exception {
        try (ServerSocketChannel mute = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                Machine src = source(); Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE)) {
            Thread drain = Thread.ofVirtual().start(() -> drainForever(mute));
            out.setCapabilities(Map.of(Capability.RETURN_PATH, true));
            out.setParameters(Map.of("x-return-path-timeout", 300L));
            out.migrate("tcp:127.0.0.1:" + ((InetSocketAddress) mute.getLocalAddress()).getPort());

            MigrationInfo info = Await.end(out);

            assertThat(info.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(info.errorDesc()).startsWith("the destination did not confirm it runs (SHUT) within 300 ms"
                    + " (x-return-path-timeout); the stream was complete, so the destination may be running: "
                    + "the source stays paused");
            assertThat(src.state()).as("not resumed: the destination may run").isEqualTo(RunState.POSTMIGRATE);
            out.cont();
            assertThat(src.state()).as("the user may resume it").isEqualTo(RunState.RUNNING);
            drain.join(10_000);
        }
    }

    /** Reads everything the source sends and never answers. */
    private static void drainForever(ServerSocketChannel server) {
        try (SocketChannel c = server.accept()) {
            ByteBuffer b = ByteBuffer.allocate(1 << 16);
            while (c.read(b.clear()) >= 0) {
                // swallow
            }
        } catch (IOException e) {
            // the source closed on us: done
        }
    }
}

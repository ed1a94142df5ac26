package io.godwit.migration;

import static io.godwit.migration.LocalMigrationTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.clock.Clock;
import io.godwit.machine.AbCheck;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.machine.RunState;
import io.godwit.monitor.Monitor;
import io.godwit.monitor.MonitorEvents;
import io.godwit.options.Capability;
import io.godwit.reference.workload.AbWorkload;
import io.godwit.reference.workload.RandomReader;
import io.godwit.stats.Counter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The link of a post-copy migration is cut by the network (a proxy between the two resets both
 * TCP connections, as a failing link or a middlebox would), not closed by either side: both
 * sides pause, migrate-recover and migrate resume=true go on over a new connection, and the copy
 * ends equal.
 */
@Timeout(value = 4, unit = java.util.concurrent.TimeUnit.MINUTES)
class PostcopyCutLinkTest {
    private static final long MIB = 1 << 20;

    /** Forwards one connection to {@code port}; {@link #cut()} resets both sides of it. */
    static final class CuttingProxy implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        CuttingProxy(int port) throws IOException {
            Thread.ofVirtual().start(() -> {
                try {
                    Socket in = server.accept();
                    Socket out = new Socket(InetAddress.getLoopbackAddress(), port);
                    sockets.addAll(List.of(in, out));
                    pump(in, out);
                    pump(out, in);
                } catch (IOException closed) {
                    // the test is over
                }
            });
        }

        /** Copies one direction; an end of stream is passed on as such (half-close), not as a close. */
        private static void pump(Socket from, Socket to) {
            Thread.ofVirtual().start(() -> {
                try {
                    InputStream i = from.getInputStream();
                    OutputStream o = to.getOutputStream();
                    i.transferTo(o);
                    to.shutdownOutput();
                } catch (IOException cut) {
                    // reset by cut() or by a side
                }
            });
        }

        String uri() {
            return "tcp:127.0.0.1:" + server.getLocalPort();
        }

        boolean connected() {
            return sockets.size() == 2;
        }

        /** SO_LINGER 0 then close: each side gets a reset, no FIN, no protocol message. */
        void cut() throws IOException {
            for (Socket s : sockets) {
                assertThat(s.isClosed()).as("the link was up until the cut").isFalse();
                s.setSoLinger(true, 0);
                s.close();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void aCutLinkPausesBothSidesAndTheMigrationResumesOverANewConnection() throws Exception {
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst");
                Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE);
                Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE)) {
            AbWorkload ab = pauseInPostcopy(src, dst, out, in);
            String recover = in.migrateRecover("tcp:127.0.0.1:0");
            out.setParameters(Map.of("max-postcopy-bandwidth", 0L));
            out.resume(recover);
            waitFor(() -> out.queryMigrate().status().isTerminal() && in.queryMigrate().status().isTerminal(),
                    "both sides to end");
            assertThat(out.queryMigrate().status()).as(out.queryMigrate().errorDesc())
                    .isEqualTo(MigrationStatus.COMPLETED);
            assertThat(in.queryMigrate().status()).as(in.queryMigrate().errorDesc())
                    .isEqualTo(MigrationStatus.COMPLETED);
            assertThat(AbCheck.check(dst).passed()).isTrue();
            assertThat(MachineDigest.of(dst)).isEqualTo(MachineDigest.of(src));
        }
    }

    /** Both sides in postcopy-paused: a proxy cut the link after the switch; the destination runs. */
    private static AbWorkload pauseInPostcopy(Machine src, Machine dst, Monitor out, Monitor in) throws Exception {
        src.addRam("pc.ram", 64 * MIB);
        dst.addRam("pc.ram", 64 * MIB);
        AbWorkload ab = new AbWorkload();
        src.addWorkload(ab);
        src.start();
        waitFor(() -> ab.sweeps() >= 1, "the a-b writer's first sweep");
        dst.addWorkload(new RandomReader(4 * MIB, 5));
        for (Monitor m : List.of(out, in)) {
            m.setCapabilities(Map.of(Capability.POSTCOPY_RAM, true));
        }
        // background pages after the switch are held to 1 MiB/s, so the cut lands in post-copy
        out.setParameters(Map.of("max-bandwidth", 64 * MIB, "downtime-limit", 20L, "max-postcopy-bandwidth", MIB));
        String incoming = in.migrateIncoming("tcp:127.0.0.1:0");
        try (CuttingProxy proxy = new CuttingProxy(Integer.parseInt(incoming.substring(incoming.lastIndexOf(':') + 1)))) {
            out.migrate(proxy.uri());
            waitFor(() -> out.outgoing().counters().get(Counter.DIRTY_SYNC_COUNT) >= 3, "three passes");
            out.startPostcopy();
            waitFor(() -> out.queryMigrate().status() == MigrationStatus.POSTCOPY_ACTIVE && proxy.connected(),
                    "post-copy");

            proxy.cut();
            waitFor(() -> out.queryMigrate().status() == MigrationStatus.POSTCOPY_PAUSED
                    && in.queryMigrate().status() == MigrationStatus.POSTCOPY_PAUSED, "both sides to pause");
            assertThat(dst.state()).isEqualTo(RunState.RUNNING);
        }
        return ab;
    }

    @Test
    void aSecondRecoverReplacesTheFirstListenerAndClosingTheMonitorClosesIt() throws Exception {
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst");
                Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE)) {
            Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE);
            String second;
            try {
                pauseInPostcopy(src, dst, out, in);
                String first = in.migrateRecover("tcp:127.0.0.1:0");
                second = in.migrateRecover("tcp:127.0.0.1:0");
                // a listener's socket is released once its accept thread is woken: wait for it
                waitFor(() -> !listening(first), "the first listener to close");
                assertThat(listening(second)).as("the second listens").isTrue();
            } finally {
                in.close();
            }
            waitFor(() -> !listening(second), "the second listener to close with the monitor");
        }
    }

    /** Whether something listens on the tcp address: its port cannot be bound again. */
    private static boolean listening(String uri) {
        int port = Integer.parseInt(uri.substring(uri.lastIndexOf(':') + 1));
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return false;
        } catch (java.net.BindException inUse) {
            return true;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

package io.godwit.cli;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.monitor.Monitor;
import io.godwit.qmp.QmpClient;
import io.godwit.qmp.QmpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The QMP part of {@link WarmUp}: a scratch machine's QMP server on a temporary socket, and the
 * commands a management tool sends before and during a migration, a few hundred times. Their
 * first run loads and links the JSON library's classes for each reply; without this a fresh
 * destination did that (and compiled it) while the migration it was set up for began.
 */
final class QmpWarmUp {
    private static final int ROUNDS = 200;

    private QmpWarmUp() {}

    static void run() throws IOException {
        Path dir = Files.createTempDirectory("godwit-warm-up-qmp-");
        Path socket = dir.resolve("qmp.sock");
        try (Machine m = new Machine("warm-up-qmp");
                QmpServer server = new QmpServer(() -> { });
                Monitor monitor = new Monitor(m, Clock.system(), server::emit)) {
            m.addRam("pc.ram", 1 << 20, false);
            server.listen("unix:" + socket, monitor);
            try (QmpClient c = QmpClient.connect("unix:" + socket)) {
                for (int i = 0; i < ROUNDS; i++) {
                    c.execute("migrate-set-capabilities", Map.of("capabilities", List.of(
                            Map.of("capability", "events", "state", i % 2 == 0),
                            Map.of("capability", "multifd", "state", i % 2 == 0))));
                    c.execute("migrate-set-parameters", Map.of("max-bandwidth", 0, "multifd-channels", 2));
                    c.execute("query-migrate-parameters");
                    c.execute("query-migrate-capabilities");
                    c.execute("query-migrate");
                    c.execute("query-status");
                }
            }
        } finally {
            Files.deleteIfExists(socket);
            Files.delete(dir);
        }
    }
}

package io.godwit.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.machine.RunState;
import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationStatus;
import io.godwit.transport.Blackhole;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A source connecting to a destination that never answers: migrate_cancel ends the connect at
 * once, and x-connect-timeout ends it by itself; either way the source runs on and takes the
 * next migrate.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConnectCancelTest {

    static Machine source() {
        Machine m = new Machine("src");
        m.addRam("pc.ram", 1 << 20).putLong(4096, 42);
        m.start();
        return m;
    }

    /** Migrates {@code monitor}'s machine to a fresh blank destination and checks the copy. */
    static void migratesAfterwards(Monitor monitor) throws Exception {
        try (Machine dst = new Machine("dst"); Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE)) {
            String uri = in.migrateIncoming("tcp:127.0.0.1:0");
            monitor.migrate(uri);
            MigrationInfo out = Await.end(monitor);
            assertThat(out.status()).as("%s", out.errorDesc()).isEqualTo(MigrationStatus.COMPLETED);
            Await.status(in, MigrationStatus.COMPLETED);
            assertThat(MachineDigest.of(dst).overall()).isEqualTo(MachineDigest.of(monitor.machine()).overall());
        }
    }

    @Test
    void cancelWhileConnectingEndsAtOnceAndTheNextMigrateIsAccepted() throws Exception {
        try (Blackhole hole = Blackhole.open(); Machine src = source();
                Monitor monitor = new Monitor(src, Clock.system(), MonitorEvents.NONE)) {
            monitor.setParameters(Map.of("x-connect-timeout", 0L)); // only the cancel can end it
            monitor.migrate(hole.uri());
            Await.status(monitor, MigrationStatus.SETUP);

            assertThat(monitor.cancel()).isTrue();
            MigrationInfo info = Await.end(monitor); // before: setup until the kernel gave up (~130 s)

            assertThat(info.status()).isEqualTo(MigrationStatus.CANCELLED);
            assertThat(info.errorDesc()).isEqualTo("cancelled by the user");
            assertThat(src.state()).isEqualTo(RunState.RUNNING);
            migratesAfterwards(monitor);
        }
    }

    @Test
    void connectTimeoutFailsTheMigrationAndTheSourceRunsOn() throws Exception {
        try (Blackhole hole = Blackhole.open(); Machine src = source();
                Monitor monitor = new Monitor(src, Clock.system(), MonitorEvents.NONE)) {
            monitor.setParameters(Map.of("x-connect-timeout", 200L));
            monitor.migrate(hole.uri());

            MigrationInfo info = Await.end(monitor);

            assertThat(info.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(info.errorDesc()).isEqualTo(hole.uri() + ": cannot connect: no answer within 200 ms"
                    + " (x-connect-timeout)");
            assertThat(src.state()).isEqualTo(RunState.RUNNING);
            migratesAfterwards(monitor);
        }
    }
}

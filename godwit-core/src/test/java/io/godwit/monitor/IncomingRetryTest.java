package io.godwit.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.clock.Clock;
import io.godwit.machine.ForeignState;
import io.godwit.machine.ForeignStateTest;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.machine.RunState;
import io.godwit.migration.Migration;
import io.godwit.migration.MigrationListener;
import io.godwit.migration.MigrationStatus;
import io.godwit.options.Capabilities;
import io.godwit.options.Parameters;
import io.godwit.ram.RamBlock;
import io.godwit.transport.Transports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A destination whose load failed takes another {@code migrate-incoming}: a blank one returns to
 * blank (no adopted RAM, no raw sections, its own machine type), one with state of its own keeps
 * it, and neither runs until a load completes.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IncomingRetryTest {
    @TempDir
    Path dir;

    /** A Godwit stream of a machine with two blocks of known content, written to a file. */
    private Path godwitStream(Machine src) throws Exception {
        RamBlock a = src.addRam("pc.ram", 1 << 20);
        RamBlock b = src.addRam("extra", 64 << 10);
        for (long off = 0; off < a.size(); off += 4096) {
            a.putByte(off, (byte) (off >>> 12));
        }
        b.putLong(8, 0x1234_5678_9abc_def0L);
        Path f = dir.resolve("good.mig");
        Migration m = new Migration(src, () -> Transports.connect("file:" + f), Parameters.defaults(),
                Capabilities.defaults(), Clock.system(), MigrationListener.NONE);
        m.run();
        assertThat(m.status()).as("%s", m.info().errorDesc()).isEqualTo(MigrationStatus.COMPLETED);
        return f;
    }

    private Path truncated(Path good, int keep) throws Exception {
        byte[] all = Files.readAllBytes(good);
        Path f = dir.resolve("truncated-" + keep + ".mig");
        Files.write(f, Arrays.copyOf(all, keep));
        return f;
    }

    static MigrationStatus awaitEnd(Monitor monitor) throws InterruptedException {
        return Await.end(monitor).status();
    }

    @Test
    void blankDestinationTakesTheIntactStreamAfterATruncatedOne() throws Exception {
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst");
                Monitor monitor = new Monitor(dst, Clock.system(), (e, d) -> {})) {
            Path good = godwitStream(src);
            dst.expectIncoming();

            monitor.migrateIncoming("file:" + truncated(good, (int) Files.size(good) / 2));
            assertThat(awaitEnd(monitor)).isEqualTo(MigrationStatus.FAILED);
            assertThat(monitor.queryMigrate().errorDesc()).contains("at byte offset");
            assertThat(dst.state()).isEqualTo(RunState.INMIGRATE);
            assertThat(dst.isBlank()).as("a failed load leaves a blank machine blank").isTrue();
            assertThat(dst.ram()).isEmpty();
            assertThat(dst.machineType()).isEqualTo(Machine.MACHINE_TYPE);

            monitor.migrateIncoming("file:" + good);
            assertThat(awaitEnd(monitor)).as("%s", monitor.queryMigrate().errorDesc())
                    .isEqualTo(MigrationStatus.COMPLETED);
            assertThat(dst.state()).isEqualTo(RunState.RUNNING);
            assertThat(dst.ram()).extracting(RamBlock::name).containsExactly("pc.ram", "extra");
            assertThat(MachineDigest.of(dst)).isEqualTo(MachineDigest.of(src));
        }
    }

    @Test
    void blankDestinationTakesAnotherMachineTypeAfterAFailedQemuStream() throws Exception {
        byte[] qemu = ForeignStateTest.qemuStream();
        Path broken = dir.resolve("qemu-truncated.mig");
        // cut inside the last device section: RAM and the first device were adopted by then
        Files.write(broken, Arrays.copyOf(qemu, qemu.length - ForeignStateTest.TRAILER_JSON.length() - 6 - 10));
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst");
                Monitor monitor = new Monitor(dst, Clock.system(), (e, d) -> {})) {
            Path good = godwitStream(src);
            dst.expectIncoming();

            monitor.migrateIncoming("file:" + broken);
            assertThat(awaitEnd(monitor)).isEqualTo(MigrationStatus.FAILED);
            assertThat(ForeignState.rawSections(dst)).isEmpty();
            assertThat(dst.ram()).isEmpty();

            monitor.migrateIncoming("file:" + good); // a Godwit stream, machine type 'godwit'
            assertThat(awaitEnd(monitor)).as("%s", monitor.queryMigrate().errorDesc())
                    .isEqualTo(MigrationStatus.COMPLETED);
            assertThat(MachineDigest.of(dst)).isEqualTo(MachineDigest.of(src));
        }
    }

    @Test
    void destinationWithRamOfItsOwnKeepsItThroughAFailedLoad() throws Exception {
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst");
                Monitor monitor = new Monitor(dst, Clock.system(), (e, d) -> {})) {
            Path good = godwitStream(src);
            dst.addRam("pc.ram", 1 << 20);
            dst.addRam("extra", 64 << 10);
            dst.expectIncoming();

            monitor.migrateIncoming("file:" + truncated(good, (int) Files.size(good) - 100));
            assertThat(awaitEnd(monitor)).isEqualTo(MigrationStatus.FAILED);
            assertThat(dst.ram()).extracting(RamBlock::name).containsExactly("pc.ram", "extra");
            assertThat(dst.state().running()).isFalse();

            monitor.migrateIncoming("file:" + good);
            assertThat(awaitEnd(monitor)).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(MachineDigest.of(dst)).isEqualTo(MachineDigest.of(src));
        }
    }
}

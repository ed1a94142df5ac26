package io.godwit.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the guest's counter lines, without QEMU. */
class SerialCounterTest {
    @TempDir
    Path dir;

    @Test
    void isZeroWithoutAFileOrBeforeTheFirstSweepEnds() throws Exception {
        Path serial = dir.resolve("serial");
        assertThat(SerialCounter.last(serial)).isZero();
        Files.writeString(serial, QemuGuest.BANNER + "\n");
        assertThat(SerialCounter.last(serial)).isZero();
    }

    @Test
    void ignoresALineTheGuestHasNotFinished() throws Exception {
        Path serial = dir.resolve("serial");
        Files.writeString(serial, QemuGuest.BANNER + "\ncounter 1\ncounter 2\ncounter 3");
        assertThat(SerialCounter.last(serial)).isEqualTo(2);
    }

    @Test
    void readsOnlyTheEndOfALongFile() throws Exception {
        Path serial = dir.resolve("serial");
        StringBuilder s = new StringBuilder(QemuGuest.BANNER).append('\n');
        for (int i = 1; i <= 100_000; i++) {
            s.append("counter ").append(i).append('\n');
        }
        Files.writeString(serial, s);
        assertThat(SerialCounter.last(serial)).isEqualTo(100_000);
    }

    @Test
    void skipsTheRestOfALineBegunBeforeAMigration() throws Exception {
        Path serial = dir.resolve("serial");
        Files.writeString(serial, "ter 41\ncounter 42\n");
        assertThat(SerialCounter.last(serial)).isEqualTo(42);
        Files.writeString(serial, "ter 41\n");
        assertThat(SerialCounter.last(serial)).isZero();
    }
}

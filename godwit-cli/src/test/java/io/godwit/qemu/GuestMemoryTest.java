package io.godwit.qemu;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The a-b check of memory dumps, on memory written here. */
class GuestMemoryTest {
    private static final int RANGE = (int) (QemuGuest.AB_END - QemuGuest.AB_START);
    private static final int PAGES = RANGE / GuestMemory.PAGE;
    private static final int LAST = PAGES - 1;

    @TempDir
    Path dir;

    /** The a-b range with pages below {@code edge} holding {@code high} and the others {@code low}. */
    private static ByteBuffer range(int edge, int high, int low) {
        ByteBuffer b = ByteBuffer.allocate(RANGE);
        for (int p = 0; p < PAGES; p++) {
            b.put(p * GuestMemory.PAGE, (byte) (p < edge ? high : low));
        }
        return b;
    }

    private static String address(int page) {
        return String.format("0x%x", QemuGuest.AB_START + (long) page * GuestMemory.PAGE);
    }

    @Test
    void acceptsAGuestStoppedAnywhereInTheSweepAfterItsLastCounter() {
        for (int edge : new int[] {0, 1, PAGES / 2, LAST, PAGES}) {
            ByteBuffer r = range(edge, 8, 7);
            assertThatCode(() -> GuestMemory.assertAbPattern(r, 7, "edge " + edge)).doesNotThrowAnyException();
        }
    }

    @Test
    void comparesValuesModulo256() {
        ByteBuffer r = range(PAGES / 2, 0, 255);
        assertThatCode(() -> GuestMemory.assertAbPattern(r, 511, "wrapped")).doesNotThrowAnyException();
    }

    @Test
    void refusesAStalePageAndNamesIt() {
        ByteBuffer r = range(PAGES / 2, 8, 7);
        r.put(GuestMemory.PAGE, (byte) 7);
        assertThatThrownBy(() -> GuestMemory.assertAbPattern(r, 7, "stale")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("1 bad pages").hasMessageContaining("[0x401000: 0x07]");
    }

    @Test
    void refusesAPageFromTheFuture() {
        ByteBuffer r = range(PAGES / 2, 8, 7);
        r.put(LAST * GuestMemory.PAGE, (byte) 8);
        assertThatThrownBy(() -> GuestMemory.assertAbPattern(r, 7, "ahead")).hasMessageContaining("1 bad pages")
                .hasMessageContaining("[" + address(LAST) + ": 0x08]");
    }

    @Test
    void refusesAPageThatWasNeverWritten() {
        ByteBuffer r = range(0, 8, 7);
        r.put(PAGES / 3 * GuestMemory.PAGE, (byte) 0);
        assertThatThrownBy(() -> GuestMemory.assertAbPattern(r, 7, "lost")).hasMessageContaining("1 bad pages")
                .hasMessageContaining("[" + address(PAGES / 3) + ": 0x00]");
    }

    @Test
    void refusesValuesThatDoNotMatchTheCounter() {
        ByteBuffer r = range(PAGES / 2, 8, 7);
        assertThatThrownBy(() -> GuestMemory.assertAbPattern(r, 6, "behind")).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> GuestMemory.assertAbPattern(r, 8, "ahead")).isInstanceOf(AssertionError.class);
    }

    @Test
    void readsTheRangeFromADumpFile() throws Exception {
        Path d = dir.resolve("dump");
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(range(PAGES / 2, 3, 2), QemuGuest.AB_START);
        }
        assertThatCode(() -> GuestMemory.assertAbPattern(d, 2)).doesNotThrowAnyException();
        assertThatThrownBy(() -> GuestMemory.assertAbPattern(d, 5)).hasMessageContaining(d.toString());
    }

    @Test
    void refusesADumpThatStopsBeforeTheRangeEnds() throws Exception {
        Path d = dir.resolve("short");
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[1]), QemuGuest.AB_START);
        }
        assertThatThrownBy(() -> GuestMemory.assertAbPattern(d, 0)).hasMessageContaining("less than");
    }
}

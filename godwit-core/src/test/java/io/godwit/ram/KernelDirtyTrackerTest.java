package io.godwit.ram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel backend (userfaultfd async write-protect + PAGEMAP_SCAN), where the kernel has it. */
class KernelDirtyTrackerTest extends DirtyTrackerContract {
    @BeforeAll
    static void kernelTrackingWorksHere() {
        DirtyTracking.Availability a = DirtyTracking.kernel();
        assumeTrue(a.available(), () -> "kernel dirty tracking unavailable: " + a.reason());
    }

    @Override
    DirtyTracker tracker() {
        return DirtyTracking.create(DirtyTracking.Mode.KERNEL);
    }

    @Test
    void writesTheKernelMakesForUsAreFound(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("data");
        Files.write(f, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        DirtyTracker t = tracker();
        try (RamBlock b = new RamBlock("pc.ram", 4 * MIB, false, t);
                FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            t.start(b);
            try {
                ByteBuffer into = page(b, 700).asByteBuffer();
                assertThat(ch.read(into)).isEqualTo(8); // read(2) writes the page from kernel mode
                t.collect(b);
                assertThat(take(b)).containsExactly(700L);
            } finally {
                t.stop(b);
            }
        }
    }

    @Test
    void pagesOfHugePagesAreTrackedOneByOne() {
        DirtyTracker t = tracker();
        try (RamBlock b = new RamBlock("pc.ram", 8 * MIB, true, t)) { // written at start: huge pages, where enabled
            t.start(b);
            try {
                take(b);
                write(b, 1, 0, 1);
                write(b, 513, 0, 1);
                write(b, 1030, 0, 1);
                t.collect(b);
                assertThat(take(b)).as("the write splits the protected huge page; the rest stays clean")
                        .containsExactly(1L, 513L, 1030L);
            } finally {
                t.stop(b);
            }
        }
    }

    @Test
    void refusesToCollectWhenNotStarted() {
        DirtyTracker t = tracker();
        try (RamBlock b = new RamBlock("pc.ram", 1 * MIB, false, t)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> t.collect(b))
                    .hasMessageContaining("not running on RamBlock[pc.ram");
            t.stop(b); // stopping what never started is harmless (a migration that failed in setup)
        }
    }
}

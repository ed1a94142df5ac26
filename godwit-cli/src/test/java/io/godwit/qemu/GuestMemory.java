package io.godwit.qemu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a memory dump of the guest (pmemsave from address 0) against its a-b pattern. After the
 * line "counter C" the guest was in sweep C + 1, so walking [AB_START, AB_END) in order the pages'
 * first bytes are C + 1 up to some page and C from there on (mod 256). Any other value is a page
 * that was lost or is stale.
 */
public final class GuestMemory {
    public static final int PAGE = 4096;
    private static final int MAX_REPORTED = 8;

    private GuestMemory() {}

    /**
     * Throws an AssertionError naming the bad pages unless the dump holds the a-b pattern of a guest
     * whose last complete counter line was {@code lastCounter}.
     */
    public static void assertAbPattern(Path dump, long lastCounter) throws IOException {
        try (FileChannel ch = FileChannel.open(dump)) {
            if (ch.size() < QemuGuest.AB_END) {
                throw new AssertionError(dump + " holds " + ch.size() + " bytes, less than the a-b range's end 0x"
                        + Long.toHexString(QemuGuest.AB_END));
            }
            assertAbPattern(ch.map(FileChannel.MapMode.READ_ONLY, QemuGuest.AB_START,
                    QemuGuest.AB_END - QemuGuest.AB_START), lastCounter, dump.toString());
        }
    }

    /** The check on the a-b range itself ({@code range} holds [AB_START, AB_END)). */
    static void assertAbPattern(ByteBuffer range, long lastCounter, String what) {
        int high = (int) ((lastCounter + 1) & 0xff);
        int low = (int) (lastCounter & 0xff);
        int pages = range.capacity() / PAGE;
        int[] value = new int[pages];
        int notLow = 0;
        for (int p = 0; p < pages; p++) {
            value[p] = range.get(p * PAGE) & 0xff;
            notLow += value[p] != low ? 1 : 0;
        }
        // Where the sweep was: the edge that leaves the fewest bad pages, so one stale page is
        // reported as one, not as every page after it.
        int edge = 0;
        int bad = notLow;
        int badHere = notLow;
        for (int p = 0; p < pages; p++) {
            badHere += (value[p] != high ? 1 : 0) - (value[p] != low ? 1 : 0);
            if (badHere < bad) {
                bad = badHere;
                edge = p + 1;
            }
        }
        if (bad == 0) {
            return;
        }
        List<String> first = new ArrayList<>();
        for (int p = 0; p < pages && first.size() < MAX_REPORTED; p++) {
            if (value[p] != (p < edge ? high : low)) {
                first.add(String.format("0x%x: 0x%02x", QemuGuest.AB_START + (long) p * PAGE, value[p]));
            }
        }
        throw new AssertionError(String.format("%s: %d bad pages after counter %d: expected 0x%02x up to 0x%x,"
                + " then 0x%02x; bad pages %s", what, bad, lastCounter, high,
                QemuGuest.AB_START + (long) edge * PAGE, low, first));
    }
}

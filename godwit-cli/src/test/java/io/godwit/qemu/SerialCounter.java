package io.godwit.qemu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the guest's "counter N" lines from a serial file. Only complete lines count: the machine
 * may stop in the middle of one, and a migrated guest finishes that line on the destination.
 */
final class SerialCounter {
    private static final Pattern LINE = Pattern.compile("counter (\\d+)");
    /** Far more than one line; the file grows by a line per sweep, so only its end is read. */
    private static final int TAIL = 4096;

    private SerialCounter() {}

    /** N of the last complete "counter N" line; 0 when there is none yet (no sweep finished). */
    static long last(Path serial) throws IOException {
        if (!Files.exists(serial)) {
            return 0;
        }
        String tail = tail(serial);
        List<String> lines = tail.substring(0, tail.lastIndexOf('\n') + 1).lines().toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            Matcher m = LINE.matcher(lines.get(i));
            if (m.matches()) {
                return Long.parseLong(m.group(1));
            }
        }
        return 0;
    }

    private static String tail(Path serial) throws IOException {
        try (FileChannel ch = FileChannel.open(serial)) {
            long size = ch.size();
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(size, TAIL));
            long from = size - b.capacity();
            while (b.hasRemaining() && ch.read(b, from + b.position()) > 0) {
                // a read may return fewer bytes than asked for
            }
            return new String(b.array(), 0, b.position(), StandardCharsets.ISO_8859_1);
        }
    }
}

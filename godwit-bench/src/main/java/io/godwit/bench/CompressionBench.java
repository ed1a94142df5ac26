package io.godwit.bench;

import io.godwit.launch.GodwitLauncher;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code godwit bench ram --compress ...} without {@code --uri}: migrates a realistic memory image
 * (text, code, heap and zero pages; MemoryImage) between two processes over loopback TCP with
 * multifd, once per multifd-compression (none, zlib, zstd), and reports for each the throughput
 * and the bytes on the wire: the ratio is RAM bytes / wire bytes (query-migrate's transferred,
 * the main connection's and the channels' bytes as written, so after compression).
 */
public final class CompressionBench {
    public static final List<String> CODECS = List.of("none", "zlib", "zstd");

    /** One codec's median run (by throughput): MiB of RAM per second, bytes on the wire, RAM / wire. */
    public record Row(String compression, double mibps, long wireBytes, double ratio, long downtimeMs,
            long sourceCpuMs, long destinationCpuMs) {}

    private final GodwitLauncher launcher;
    private final long size;
    private final int runs;
    private final int channels;
    private final Consumer<String> log;

    public CompressionBench(GodwitLauncher launcher, long size, int runs, int channels, Consumer<String> log) {
        if (channels < 1) {
            throw new IllegalArgumentException("compression runs on multifd: --channels must be 1 or more");
        }
        this.launcher = launcher;
        this.size = size;
        this.runs = runs;
        this.channels = channels;
        this.log = log;
    }

    public List<Row> run() throws Exception {
        List<Row> rows = new ArrayList<>();
        for (String codec : CODECS) {
            RamBench.Case c = new SocketRamBench(launcher, "tcp", size, runs, null, channels, codec, log)
                    .image("realistic").run();
            RamBench.Run m = c.median();
            rows.add(new Row(codec, m.mibps(), m.transferred(), (double) size / m.transferred(), m.downtimeMs(),
                    m.sourceCpuMs(), m.destinationCpuMs()));
            log.accept(String.format("%s: %.0f MiB/s, %d bytes on the wire, ratio %.2f", codec, m.mibps(),
                    m.transferred(), (double) size / m.transferred()));
        }
        return rows;
    }
}

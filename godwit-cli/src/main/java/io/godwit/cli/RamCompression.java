package io.godwit.cli;

import io.godwit.bench.CompressionBench;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code godwit bench ram --compress none|zlib|zstd} without {@code --uri}: the realistic-image
 * comparison of the three multifd compressions over loopback TCP (see docs/benchmarks.md for the
 * keys).
 */
final class RamCompression {
    private RamCompression() {}

    static int run(long size, int runs, int channels, String requested, boolean json) throws Exception {
        List<CompressionBench.Row> rows = new CompressionBench(Main.LAUNCHER, size, runs, channels,
                line -> System.err.println("bench: " + line)).run();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("image", "realistic");
        out.put("uri", "tcp");
        out.put("channels", channels);
        out.put("compression", requested);
        out.put("size-bytes", size);
        out.put("runs", runs);
        List<Map<String, Object>> list = new ArrayList<>();
        for (CompressionBench.Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("compression", r.compression());
            m.put("mibps", Math.round(r.mibps()));
            m.put("wire-bytes", r.wireBytes());
            m.put("ratio", Math.round(r.ratio() * 100) / 100.0);
            m.put("downtime-ms", r.downtimeMs());
            m.put("source-cpu-ms", r.sourceCpuMs());
            m.put("destination-cpu-ms", r.destinationCpuMs());
            list.add(m);
            out.put(r.compression() + "-mibps", Math.round(r.mibps()));
            out.put(r.compression() + "-wire-bytes", r.wireBytes());
            out.put(r.compression() + "-ratio", Math.round(r.ratio() * 100) / 100.0);
        }
        out.put("results", list);
        if (json) {
            System.out.println(Json.write(out));
            return 0;
        }
        System.out.printf("RAM migration of a realistic %s image (text, code, heap, zero pages) between two processes "
                + "over tcp loopback, multifd %d channels, median of %d runs (after 1 warm-up)%n", Sizes.format(size),
                channels, runs);
        System.out.printf("%-12s %10s %16s %8s %12s%n", "compression", "MiB/s", "wire bytes", "ratio", "downtime ms");
        for (CompressionBench.Row r : rows) {
            System.out.printf("%-12s %10.0f %16d %8.2f %12d%s%n", r.compression(), r.mibps(), r.wireBytes(), r.ratio(),
                    r.downtimeMs(), r.compression().equals(requested) ? "  (requested)" : "");
        }
        return 0;
    }
}

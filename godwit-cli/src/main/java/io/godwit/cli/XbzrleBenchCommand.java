package io.godwit.cli;

import io.godwit.bench.XbzrleBench;
import io.godwit.migration.MigrationInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** godwit bench xbzrle: bytes on the wire and MiB/s with xbzrle off and on, for a writer of a byte per page. */
@Command(name = "xbzrle", mixinStandardHelpOptions = true,
        description = "Migrate random RAM whose a-b writer changes a byte per page, in-process over TCP loopback, "
                + "with xbzrle off and on in turn; print bytes on the wire and MiB/s.")
final class XbzrleBenchCommand implements Callable<Integer> {
    @Option(names = "--size", converter = Sizes.class, defaultValue = "256M", description = "RAM (default ${DEFAULT-VALUE}).")
    long size;

    @Option(names = "--write-rate", converter = Sizes.class, defaultValue = "96M",
            description = "Bytes of pages the writer dirties per second (default ${DEFAULT-VALUE}).")
    long writeRate;

    @Option(names = "--max-bandwidth", converter = Sizes.class, defaultValue = "128M",
            description = "max-bandwidth, bytes/s; 0 for none (default ${DEFAULT-VALUE}, QEMU's).")
    long maxBandwidth;

    @Option(names = "--cache-size", converter = Sizes.class, defaultValue = "0",
            description = "xbzrle-cache-size; 0 for the RAM's size, rounded down to a power of two (default "
                    + "${DEFAULT-VALUE}; QEMU's default is 64M).")
    long cacheSize;

    @Option(names = "--downtime-limit", defaultValue = "300", description = "downtime-limit, ms (default ${DEFAULT-VALUE}).")
    long downtimeLimit;

    @Option(names = "--runs", defaultValue = "3", description = "Measured runs per case, alternating, after one "
            + "warm-up of each (default ${DEFAULT-VALUE}); the median by total time is reported.")
    int runs;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (cacheSize == 0) {
            cacheSize = Long.highestOneBit(size);
        }
        List<XbzrleBench.Case> cases = new XbzrleBench(size, writeRate, maxBandwidth, downtimeLimit, cacheSize, runs,
                line -> System.err.println("bench: " + line)).run();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("size-bytes", size);
        out.put("write-rate", writeRate);
        out.put("max-bandwidth", maxBandwidth);
        out.put("downtime-limit", downtimeLimit);
        out.put("xbzrle-cache-size", cacheSize);
        out.put("runs", runs);
        for (XbzrleBench.Case c : cases) {
            put(out, c.xbzrle() ? "on" : "off", c.median());
        }
        if (json) {
            System.out.println(Json.write(out));
            return 0;
        }
        System.out.printf("RAM migration over TCP loopback in-process, %s of random RAM, a byte changed per page at %s/s "
                + "of pages, max-bandwidth %s/s, xbzrle-cache-size %s, median of %d runs per case (alternating, "
                + "after 1 warm-up each)%n", Sizes.format(size), Sizes.format(writeRate), Sizes.format(maxBandwidth),
                Sizes.format(cacheSize), runs);
        System.out.printf("%-7s %10s %10s %12s %10s %8s %10s %12s %10s%n", "xbzrle", "wire MiB", "wire MiB/s",
                "page MiB/s", "total ms", "passes", "downtime", "xbzrle pages", "enc. rate");
        for (XbzrleBench.Case c : cases) {
            XbzrleBench.Run m = c.median();
            MigrationInfo.XbzrleCache x = m.xbzrle();
            System.out.printf("%-7s %10.1f %10.0f %12.0f %10.0f %8d %10s %12s %10s%n", c.xbzrle() ? "on" : "off",
                    m.transferred() / 1048576.0, m.wireMibps(), m.pageMibps(), m.totalMs(), m.passes(),
                    m.completed() ? m.downtimeMs() + " ms" : "none", x == null ? "-" : x.pages(),
                    x == null ? "-" : String.format("%.1f", x.encodingRate()));
        }
        System.out.println("every run's destination passed the a-b check with a digest equal to the source's");
        return 0;
    }

    private static void put(Map<String, Object> out, String name, XbzrleBench.Run m) {
        out.put(name + "-completed", m.completed());
        out.put(name + "-transferred", m.transferred());
        out.put(name + "-wire-mibps", Math.round(m.wireMibps()));
        out.put(name + "-page-mibps", Math.round(m.pageMibps()));
        out.put(name + "-total-ms", Math.round(m.totalMs()));
        out.put(name + "-passes", m.passes());
        out.put(name + "-downtime-ms", m.downtimeMs());
        MigrationInfo.XbzrleCache x = m.xbzrle();
        if (x != null) {
            out.put(name + "-xbzrle-pages", x.pages());
            out.put(name + "-xbzrle-bytes", x.bytes());
            out.put(name + "-xbzrle-cache-miss", x.cacheMiss());
            out.put(name + "-xbzrle-overflow", x.overflow());
        }
    }
}

package io.godwit.cli;

import io.godwit.bench.QemuRamBench;
import io.godwit.bench.RamBench;
import io.godwit.bench.SocketRamBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code godwit bench ram --uri tcp --qemu}: runs QEMU to QEMU beside Godwit's runs, one QEMU round
 * (one connection, then multifd) after each Godwit migration, and reports QEMU's medians and the
 * ratio of Godwit's median to QEMU's better one. A QEMU that is missing or does not run is skipped
 * with its reason; Godwit's figures are still measured.
 */
final class QemuComparison {
    private final Path qemu;
    private final long size;
    private final Consumer<String> log;
    private final String skipped;
    private String version;
    private QemuRamBench bench;

    QemuComparison(Path qemu, long size, Consumer<String> log) {
        this.qemu = qemu;
        this.size = size;
        this.log = log;
        this.skipped = QemuRamBench.unavailable(qemu);
    }

    /** Godwit's runs, each followed by a QEMU round; Godwit's case. */
    RamBench.Case alternate(SocketRamBench godwit) throws Exception {
        if (skipped != null) {
            log.accept("QEMU rows skipped: " + skipped);
            return godwit.run();
        }
        version = QemuRamBench.version(qemu);
        Path dir = Files.createTempDirectory("godwit-bench-qemu-");
        log.accept("QEMU runs alternate with Godwit's: " + version + " (logs in " + dir + ")");
        QemuRamBench b = new QemuRamBench(qemu, dir, size, log);
        bench = b;
        // the file of random bytes is as large as the RAM: an interrupted bench removes it too
        Thread onExit = new Thread(() -> {
            try {
                b.cleanup();
            } catch (java.io.IOException ignored) {
                // exiting anyway
            }
        });
        Runtime.getRuntime().addShutdownHook(onExit);
        try {
            b.prepare();
            return godwit.run(b::round);
        } finally {
            b.cleanup();
            Runtime.getRuntime().removeShutdownHook(onExit);
        }
    }

    /** The "qemu" object of the JSON output. */
    Map<String, Object> json(RamBench.Run godwit) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("binary", qemu.toString());
        if (skipped != null) {
            out.put("skipped", skipped);
            return out;
        }
        out.put("version", version);
        put(out, "one-connection", bench.single().median());
        put(out, "multifd-" + QemuRamBench.MULTIFD_CHANNELS, bench.multifd().median());
        out.put("best-mibps", Math.round(best()));
        out.put("godwit-to-best-ratio", Math.round(godwit.mibps() / best() * 100) / 100.0);
        return out;
    }

    void print(RamBench.Run godwit) {
        if (skipped != null) {
            System.out.println("QEMU rows skipped: " + skipped);
            return;
        }
        System.out.printf("%s to itself, same RAM, runs alternating with Godwit's:%n", version);
        System.out.printf("%-22s %8s %14s %12s %14s %14s%n", "case", "MiB/s", "downtime ms", "total ms",
                "source CPU ms", "dest. CPU ms");
        row("godwit", godwit);
        row("qemu one connection", bench.single().median());
        row("qemu multifd " + QemuRamBench.MULTIFD_CHANNELS, bench.multifd().median());
        System.out.printf("Godwit / QEMU's best: %.2f%n", godwit.mibps() / best());
    }

    private double best() {
        return Math.max(bench.single().median().mibps(), bench.multifd().median().mibps());
    }

    private static void row(String name, RamBench.Run r) {
        System.out.printf("%-22s %8.0f %14d %12.0f %14d %14d%n", name, r.mibps(), r.downtimeMs(), r.totalMs(),
                r.sourceCpuMs(), r.destinationCpuMs());
    }

    private static void put(Map<String, Object> out, String name, RamBench.Run r) {
        out.put(name + "-mibps", Math.round(r.mibps()));
        out.put(name + "-downtime-ms", r.downtimeMs());
        out.put(name + "-total-ms", Math.round(r.totalMs()));
        out.put(name + "-source-cpu-ms", r.sourceCpuMs());
        out.put(name + "-destination-cpu-ms", r.destinationCpuMs());
    }
}

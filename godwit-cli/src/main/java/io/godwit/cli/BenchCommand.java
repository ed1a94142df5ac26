package io.godwit.cli;

import io.godwit.bench.DeviceBench;
import io.godwit.bench.DeviceChannelsBench;
import io.godwit.bench.DiskBench;
import io.godwit.bench.RamBench;
import io.godwit.bench.SocketRamBench;
import io.godwit.bench.TrackingBench;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** godwit bench: benchmarks that print their numbers. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark and print its figures.",
        subcommands = {BenchCommand.Ram.class, BenchCommand.Devices.class, BenchCommand.Disk.class,
            BenchCommand.Postcopy.class, BenchCommand.Tracking.class, BenchCommand.Jmh.class, PlanBenchCommand.class,
            XbzrleBenchCommand.class, LoopbackBenchCommand.class})
final class BenchCommand {

    @Command(name = "disk", mixinStandardHelpOptions = true,
            description = "Block-migrate a partly zero disk with RAM partly marked unused, in-process; print disk "
                    + "throughput and the bytes zero chunks and unused pages saved.")
    static final class Disk implements Callable<Integer> {
        @Option(names = "--size", converter = Sizes.class, defaultValue = "1G", description = "Disk size (default ${DEFAULT-VALUE}).")
        long size;

        @Option(names = "--data", defaultValue = "50", description = "Percent of chunks holding data (default ${DEFAULT-VALUE}).")
        int dataPercent;

        @Option(names = "--ram", converter = Sizes.class, defaultValue = "256M", description = "RAM (default ${DEFAULT-VALUE}).")
        long ram;

        @Option(names = "--unused", defaultValue = "25", description = "Percent of pages unused (default ${DEFAULT-VALUE}).")
        int unused;

        @Option(names = "--json", description = "Print the figures as one JSON object.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            DiskBench.Result r = new DiskBench(new DiskBench.Config(size, dataPercent / 100.0, ram, unused),
                    line -> System.err.println("bench: " + line)).run();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("disk-bytes", r.diskBytes());
            out.put("disk-mibps", Math.round(r.diskMibps()));
            out.put("total-time-ms", r.totalMs());
            out.put("downtime-ms", r.downtimeMs());
            out.put("zero-blocks", r.zeroBlocks());
            out.put("zero-bytes-saved", r.zeroBytesSaved());
            out.put("skipped-pages", r.skippedPages());
            out.put("skipped-bytes-saved", r.skippedBytesSaved());
            out.put("stream-bytes", r.streamBytes());
            out.put("verified", r.verified());
            if (json) {
                System.out.println(Json.write(out));
            } else {
                System.out.printf("block migration of a %s disk (%d%% data) with %s RAM (%d%% unused), in-process%n",
                        Sizes.format(size), dataPercent, Sizes.format(ram), unused);
                System.out.printf("  disk throughput:  %.0f MiB/s (%s in %d ms, downtime %d ms)%n", r.diskMibps(),
                        Sizes.format(r.diskBytes()), r.totalMs(), r.downtimeMs());
                System.out.printf("  zero chunks:      %d, %s not sent%n", r.zeroBlocks(), Sizes.format(r.zeroBytesSaved()));
                System.out.printf("  unused pages:     %d, %s not sent%n", r.skippedPages(),
                        Sizes.format(r.skippedBytesSaved()));
                System.out.printf("  stream:           %s%n", Sizes.format(r.streamBytes()));
                System.out.printf("  verified by digest (RAM and disk): %s%n", r.verified() ? "yes" : "NO");
            }
            return r.verified() ? 0 : 1;
        }
    }

    @Command(name = "devices", mixinStandardHelpOptions = true,
            description = "Migrate a machine with RAM and a slow-to-load device once per pending policy, then one with "
                    + "several such devices whose stop-copy state goes on the main channel and on the multifd "
                    + "channels; print measured downtime and total time.")
    static final class Devices implements Callable<Integer> {
        @Option(names = "--ram", converter = Sizes.class, defaultValue = "512M", description = "RAM (default ${DEFAULT-VALUE}).")
        long ram;

        @Option(names = "--ram-dirty", converter = Sizes.class, defaultValue = "128M",
                description = "Random writer's dirty rate, bytes/s (default ${DEFAULT-VALUE}).")
        long ramDirty;

        @Option(names = "--device-size", converter = Sizes.class, defaultValue = "256M",
                description = "Device initial bytes (default ${DEFAULT-VALUE}).")
        long deviceSize;

        @Option(names = "--device-dirty", converter = Sizes.class, defaultValue = "16M",
                description = "Device dirty rate, bytes/s (default ${DEFAULT-VALUE}).")
        long deviceDirty;

        @Option(names = "--load-rate", converter = Sizes.class, defaultValue = "200M",
                description = "Destination load rate of the device, bytes/s (default ${DEFAULT-VALUE}).")
        long loadRate;

        @Option(names = "--downtime-limit", defaultValue = "300", description = "downtime-limit, ms (default ${DEFAULT-VALUE}).")
        long downtimeLimit;

        @Option(names = "--devices", defaultValue = "4",
                description = "Devices in the rows that compare the main channel with the multifd channels (default "
                        + "${DEFAULT-VALUE}).")
        int devices;

        @Option(names = "--channels", defaultValue = "4",
                description = "multifd-channels in those rows (default ${DEFAULT-VALUE}).")
        int channels;

        @Option(names = "--state-downtime-limit", defaultValue = "20000",
                description = "downtime-limit in those rows, ms: their devices have no pre-copy, so the limit must let "
                        + "the switch happen with all their state pending (default ${DEFAULT-VALUE}).")
        long stateDowntimeLimit;

        @Option(names = "--repeat", defaultValue = "1",
                description = "How many times those rows run, main channel and channels alternating (default "
                        + "${DEFAULT-VALUE}).")
        int repeat;

        @Option(names = "--rows", defaultValue = "all",
                description = "policies (one device, once per pending policy), channels (device state on the main "
                        + "channel vs on the multifd channels) or all (default ${DEFAULT-VALUE}).")
        String which;

        @Option(names = "--json", description = "Print the rows as a JSON array.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (!List.of("all", "policies", "channels").contains(which)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--rows: expected all, policies or "
                        + "channels, not '" + which + "'");
            }
            DeviceBench.Config c = new DeviceBench.Config(ram, ramDirty, deviceSize, deviceDirty, loadRate, downtimeLimit);
            java.util.function.Consumer<String> log = line -> System.err.println("bench: " + line);
            List<DeviceBench.Row> rows = new java.util.ArrayList<>();
            if (!which.equals("channels")) {
                rows.addAll(new DeviceBench(c, log).run());
            }
            if (!which.equals("policies")) {
                rows.addAll(new DeviceChannelsBench(new DeviceChannelsBench.Config(c, devices, channels,
                        stateDowntimeLimit, repeat), log).run());
            }
            if (json) {
                List<Map<String, Object>> out = new java.util.ArrayList<>();
                for (DeviceBench.Row r : rows) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("policy", r.policy());
                    m.put("downtime-ms", r.downtimeMs());
                    m.put("total-time-ms", r.totalTimeMs());
                    m.put("within-limit", r.downtimeMs() <= (r.devices() == 1 ? downtimeLimit : stateDowntimeLimit));
                    m.put("dirty-sync-count", r.passes());
                    m.put("device-bytes", r.deviceBytes());
                    m.put("verified", r.verified());
                    m.put("channels", r.channels());
                    m.put("devices", r.devices());
                    out.add(m);
                }
                System.out.println(Json.write(out));
            } else {
                System.out.printf("%s RAM under a random writer at %s/s; device of %s (dirty %s/s) that the destination "
                        + "loads at %s/s; downtime-limit %d ms%n", Sizes.format(ram), Sizes.format(ramDirty),
                        Sizes.format(deviceSize), Sizes.format(deviceDirty), Sizes.format(loadRate), downtimeLimit);
                if (!which.equals("policies")) {
                    System.out.printf("channel rows: %d such devices without pre-copy, multifd with %d channels, "
                            + "downtime-limit %d ms; channels 'main': device state on the main channel%n", devices,
                            channels, stateDowntimeLimit);
                }
                System.out.printf("%-16s %8s %9s %12s %14s %8s %9s%n", "policy", "devices", "channels", "downtime ms",
                        "total time ms", "passes", "verified");
                for (DeviceBench.Row r : rows) {
                    long limit = r.devices() == 1 ? downtimeLimit : stateDowntimeLimit;
                    System.out.printf("%-16s %8d %9s %12d %14d %8d %9s%s%n", r.policy(), r.devices(),
                            r.channels() == 0 ? "main" : String.valueOf(r.channels()), r.downtimeMs(), r.totalTimeMs(),
                            r.passes(), r.verified() ? "yes" : "NO", r.downtimeMs() > limit ? "  over the limit" : "");
                }
            }
            return rows.stream().allMatch(DeviceBench.Row::verified) ? 0 : 1;
        }
    }

    @Command(name = "postcopy", mixinStandardHelpOptions = true,
            description = "Migrate a machine that does not converge in pre-copy between two processes over loopback "
                    + "TCP, switching to post-copy; print total time, downtime, post-copy time and page-fault latency.")
    static final class Postcopy implements Callable<Integer> {
        @Option(names = "--size", converter = Sizes.class, defaultValue = "1G", description = "RAM (default ${DEFAULT-VALUE}).")
        long size;

        @Option(names = "--max-bandwidth", converter = Sizes.class, defaultValue = "512M",
                description = "Pre-copy's max-bandwidth, below the a-b writer's dirty rate (default ${DEFAULT-VALUE}).")
        long maxBandwidth;

        @Option(names = "--read", converter = Sizes.class, defaultValue = "256M",
                description = "The destination reader's rate, bytes/s of pages touched (default ${DEFAULT-VALUE}).")
        long readRate;

        @Option(names = "--runs", defaultValue = "3", description = "Measured runs, after one warm-up "
                + "(default: ${DEFAULT-VALUE}); the median is reported.")
        int runs;

        @Option(names = "--json", description = "Print the figures as one JSON object.")
        boolean json;

        @Option(names = "--no-preempt", description = "Skip the runs with postcopy-preempt.")
        boolean noPreempt;

        @Override
        public Integer call() throws Exception {
            io.godwit.bench.PostcopyBench.Run m = median(false);
            io.godwit.bench.PostcopyBench.Run p = noPreempt ? null : median(true);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("size-bytes", size);
            out.put("runs", runs);
            out.putAll(figures(m)); // without postcopy-preempt, at the top level as before
            if (p != null) {
                Map<String, Object> with = figures(p);
                with.put("preempt-pages", p.preemptPages());
                out.put("postcopy-preempt", with);
            }
            out.put("verified", true);
            if (json) {
                System.out.println(Json.write(out));
            } else {
                System.out.printf("post-copy of %s under the a-b writer at full speed (pre-copy max-bandwidth %s/s), "
                        + "two processes over loopback TCP, median of %d runs (after 1 warm-up)%n", Sizes.format(size),
                        Sizes.format(maxBandwidth), runs);
                print("without postcopy-preempt", m);
                if (p != null) {
                    print("with postcopy-preempt (" + p.preemptPages() + " pages on the preempt channel)", p);
                }
                System.out.println("  every run verified by digest: yes");
            }
            return 0;
        }

        private io.godwit.bench.PostcopyBench.Run median(boolean preempt) throws Exception {
            List<io.godwit.bench.PostcopyBench.Run> rs = new io.godwit.bench.PostcopyBench(Main.LAUNCHER,
                    new io.godwit.bench.PostcopyBench.Config(size, maxBandwidth, readRate, runs, preempt),
                    line -> System.err.println("bench: " + line)).run();
            return rs.get(rs.size() / 2);
        }

        private static Map<String, Object> figures(io.godwit.bench.PostcopyBench.Run m) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("total-ms", m.totalMs());
            out.put("downtime-ms", m.downtimeMs());
            out.put("postcopy-ms", m.postcopyMs());
            out.put("postcopy-requests", m.requests());
            out.put("fault-latency-p50-us", m.faultP50Us());
            out.put("fault-latency-p99-us", m.faultP99Us());
            out.put("fault-latency-max-us", m.faultMaxUs());
            out.put("faults", m.faults());
            return out;
        }

        private static void print(String title, io.godwit.bench.PostcopyBench.Run m) {
            System.out.printf("  %s%n", title);
            System.out.printf("    total:          %d ms%n    downtime:       %d ms%n    post-copy:      %d ms (%d "
                    + "page requests)%n", m.totalMs(), m.downtimeMs(), m.postcopyMs(), m.requests());
            System.out.printf("    fault latency:  p50 %d us, p99 %d us, max %d us (%d waits)%n", m.faultP50Us(),
                    m.faultP99Us(), m.faultMaxUs(), m.faults());
        }
    }

    @Command(name = "tracking", mixinStandardHelpOptions = true,
            description = "Measure dirty tracking: the cost of a write under each backend and of one collect "
                    + "over the block; print the medians.")
    static final class Tracking implements Callable<Integer> {
        @Option(names = "--size", converter = Sizes.class, defaultValue = "1G", description = "Block size (default ${DEFAULT-VALUE}).")
        long size;

        @Option(names = "--runs", defaultValue = "5", description = "Measured runs per figure, after one warm-up "
                + "(default: ${DEFAULT-VALUE}); the median is reported.")
        int runs;

        @Option(names = "--json", description = "Print the figures as one JSON object.")
        boolean json;

        @Override
        public Integer call() {
            TrackingBench.Result r = new TrackingBench(size, runs, line -> System.err.println("bench: " + line)).run();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("size-bytes", r.sizeBytes());
            out.put("runs", r.runs());
            out.put("explicit-ns-per-write", round(r.explicitNsPerWrite()));
            out.put("untracked-ns-per-write", round(r.untrackedNsPerWrite()));
            out.put("kernel-ns-per-write", round(r.kernelNsPerWrite()));
            out.put("kernel-steady-ns-per-write", round(r.kernelSteadyNsPerWrite()));
            out.put("kernel-scan-ms", round(r.kernelScanMs()));
            out.put("kernel-scan-clean-ms", round(r.kernelScanCleanMs()));
            out.put("hash-scan-ms", round(r.hashScanMs()));
            out.put("hash-threads", r.hashThreads());
            out.put("kernel-unavailable", r.kernelUnavailable());
            if (json) {
                System.out.println(Json.write(out));
                return 0;
            }
            System.out.printf("dirty tracking on a %s block, median of %d runs (after 1 warm-up)%n",
                    Sizes.format(size), runs);
            System.out.printf("  write, explicit (RamBlock.putLong):          %8.1f ns%n", r.explicitNsPerWrite());
            System.out.printf("  write, untracked (plain store):              %8.1f ns%n", r.untrackedNsPerWrite());
            if (r.kernelUnavailable() != null) {
                System.out.println("  kernel tracking unavailable: " + r.kernelUnavailable());
            } else {
                System.out.printf("  write, kernel, first after protect:          %8.1f ns%n", r.kernelNsPerWrite());
                System.out.printf("  write, kernel, page already written:         %8.1f ns%n", r.kernelSteadyNsPerWrite());
                System.out.printf("  collect, kernel (PAGEMAP_SCAN), 1%% dirty:    %8.2f ms%n", r.kernelScanMs());
                System.out.printf("  collect, kernel, nothing dirty:              %8.2f ms%n", r.kernelScanCleanMs());
            }
            System.out.printf("  collect, hash (%d threads), 1%% dirty:         %8.2f ms%n", r.hashThreads(), r.hashScanMs());
            return 0;
        }

        /** NaN (a backend that did not run) becomes null in the JSON. */
        private static Double round(double v) {
            return Double.isNaN(v) ? null : Math.round(v * 100) / 100.0;
        }
    }

    @Command(name = "jmh", description = "Run the JMH micro-benchmarks (arguments go to JMH, e.g. a name regex).")
    static final class Jmh implements Callable<Integer> {
        @picocli.CommandLine.Unmatched
        java.util.List<String> args = new java.util.ArrayList<>();

        @Override
        public Integer call() throws Exception {
            org.openjdk.jmh.Main.main(args.toArray(String[]::new));
            return 0;
        }
    }

    @Command(name = "ram", mixinStandardHelpOptions = true,
            description = "Migrate random and zero RAM in-process (or random RAM between two processes with "
                    + "--uri); print throughput (MiB/s) and downtime.")
    static final class Ram implements Callable<Integer> {
        @Option(names = "--uri", description = "tcp or unix: migrate between two processes over loopback.")
        String uri;

        @Option(names = "--size", converter = Sizes.class, defaultValue = "1G",
                description = "RAM per case (default: ${DEFAULT-VALUE} bytes).")
        long size;

        @Option(names = "--runs", defaultValue = "3", description = "Measured runs per case, after one warm-up "
                + "(default: ${DEFAULT-VALUE}); the median is reported.")
        int runs;

        @Option(names = "--json", description = "Print the figures as one JSON object.")
        boolean json;

        @Option(names = "--dirty-tracking", defaultValue = "explicit", description = "The source RAM's dirty "
                + "tracking in-process: explicit, kernel, hash or auto (default: ${DEFAULT-VALUE}).")
        String dirtyTracking;

        @Option(names = "--tls", arity = "0..1", fallbackValue = "x509", paramLabel = "x509|psk",
                description = "With --uri: migrate in TLS sessions, with x509 certificates (the default) or a "
                        + "pre-shared key.")
        String tls;

        @Option(names = "--channels", defaultValue = "0", paramLabel = "N", description = "With --uri: migrate "
                + "with multifd over N channels beside the main connection (default: ${DEFAULT-VALUE}, multifd off).")
        int channels;

        @Option(names = "--compress", defaultValue = "none", paramLabel = "none|zlib|zstd", description = "With "
                + "--channels: multifd-compression (default: ${DEFAULT-VALUE}).")
        String compress;

        @Option(names = "--image", paramLabel = "random|realistic", description = "With --uri: the source's RAM "
                + "content (default: random; realistic: text, code, heap and zero pages).")
        String image;

        @Option(names = "--qemu", arity = "0..1", fallbackValue = "/usr/bin/qemu-system-x86_64", paramLabel = "QEMU",
                description = "With --uri tcp: also migrate the same RAM from QEMU to QEMU (one connection, and "
                        + "multifd with 2 channels), alternating with Godwit's runs, and print the ratio (default "
                        + "binary: ${FALLBACK-VALUE}).")
        String qemu;

        @Override
        public Integer call() throws Exception {
            if (qemu != null && (!"tcp".equals(uri) || tls != null)) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--qemu needs --uri tcp and no --tls");
            }
            if (uri == null && !compress.equals("none") && tls == null) { // the realistic-image compression bench
                if (!java.util.List.of("zlib", "zstd").contains(compress)) {
                    throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                            "--compress must be none, zlib or zstd, not " + compress);
                }
                return RamCompression.run(size, runs, channels == 0 ? 2 : channels, compress, json);
            }
            if ((channels != 0 || !compress.equals("none") || image != null) && uri == null) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--channels and --image need --uri tcp or --uri unix (--compress zlib or zstd alone runs the "
                                + "realistic-image compression bench)");
            }
            if (tls != null && uri == null) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--tls needs --uri tcp or --uri unix");
            }
            if (uri != null) {
                return sockets();
            }
            io.godwit.ram.DirtyTracking.Mode mode = io.godwit.ram.DirtyTracking.Mode.parse(dirtyTracking);
            RamBench.Result r = new RamBench(size, runs, mode, line -> System.err.println("bench: " + line)).run();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("size-bytes", r.sizeBytes());
            out.put("runs", runs);
            put(out, "random", r.random());
            put(out, "zero", r.zero());
            put(out, "zero-written", r.zeroWritten());
            out.put("random-digest-verified", r.digestVerified());
            out.put("dirty-tracking", mode.cliName());
            if (json) {
                System.out.println(Json.write(out));
            } else {
                System.out.printf("RAM migration in-process, %s per case, median of %d runs (after 1 warm-up), "
                        + "dirty tracking %s%n", Sizes.format(r.sizeBytes()), runs, mode.cliName());
                System.out.printf("%-14s %12s %14s %12s%n", "case", "MiB/s", "downtime ms", "total ms");
                for (RamBench.Case c : List.of(r.random(), r.zero(), r.zeroWritten())) {
                    RamBench.Run m = c.median();
                    System.out.printf("%-14s %12.0f %14d %12.1f%n", c.name(), m.mibps(), m.downtimeMs(), m.totalMs());
                }
                System.out.printf("random RAM verified by digest: %s%n", r.digestVerified() ? "yes" : "NO");
            }
            return r.digestVerified() ? 0 : 1;
        }

        private int sockets() throws Exception {
            SocketRamBench bench;
            try {
                bench = new SocketRamBench(Main.LAUNCHER, uri, size, runs, tls, channels, compress,
                        line -> System.err.println("bench: " + line));
                if (image != null) {
                    bench.image(image);
                }
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), e.getMessage());
            }
            QemuComparison qemuBench = qemu == null ? null
                    : new QemuComparison(java.nio.file.Path.of(qemu), size, line -> System.err.println("bench: " + line));
            RamBench.Case c = qemuBench == null ? bench.run() : qemuBench.alternate(bench);
            RamBench.Run m = c.median();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("uri", uri);
            out.put("tls", tls != null ? tls : "none");
            out.put("channels", channels);
            out.put("compression", compress);
            out.put("size-bytes", size);
            out.put("runs", runs);
            put(out, "random", c);
            out.put("downtime-limit-ms", bench.downtimeLimitMs());
            if (qemuBench != null) {
                out.put("qemu", qemuBench.json(m));
            }
            if (json) {
                System.out.println(Json.write(out));
            } else {
                System.out.printf("RAM migration between two processes over %s loopback%s%s, %s of random RAM, "
                        + "median of %d runs (after 1 warm-up)%n", uri, tls != null ? " with TLS (" + tls + ")" : "",
                        channels > 0 ? " with multifd, " + channels + " channels, compression " + compress : "",
                        Sizes.format(size), runs);
                System.out.printf("%-14s %12s %14s %12s%n", "case", "MiB/s", "downtime ms", "total ms");
                System.out.printf("%-14s %12.0f %14d %12.1f%n", "random/" + uri, m.mibps(), m.downtimeMs(), m.totalMs());
                System.out.printf("CPU over that migration: source %d ms, destination %d ms%n", m.sourceCpuMs(),
                        m.destinationCpuMs());
                System.out.println("random RAM verified by digest: yes");
                if (qemuBench != null) {
                    qemuBench.print(m);
                }
            }
            return 0;
        }

        private static void put(Map<String, Object> out, String name, RamBench.Case c) {
            RamBench.Run m = c.median();
            out.put(name + "-mibps", Math.round(m.mibps()));
            out.put(name + "-downtime-ms", m.downtimeMs());
            out.put(name + "-total-ms", Math.round(m.totalMs() * 10) / 10.0);
            if (m.sourceCpuMs() >= 0) {
                out.put(name + "-source-cpu-ms", m.sourceCpuMs());
                out.put(name + "-destination-cpu-ms", m.destinationCpuMs());
            }
        }
    }
}

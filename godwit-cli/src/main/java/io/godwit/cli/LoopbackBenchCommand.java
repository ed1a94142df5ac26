package io.godwit.cli;

import io.godwit.bench.loopback.LoopbackBench;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** godwit bench loopback: the machine's ceiling for moving bytes between two processes over loopback TCP. */
@Command(name = "loopback", mixinStandardHelpOptions = true,
        description = "Move --size bytes from one JVM's off-heap memory to another's over loopback TCP with no "
                + "protocol, as a RAM migration's volume and shape; print MiB/s and both sides' CPU time: the "
                + "ceiling to read bench ram figures against.")
final class LoopbackBenchCommand implements Callable<Integer> {
    @Option(names = "--size", converter = Sizes.class, defaultValue = "1G", description = "Bytes to move (default ${DEFAULT-VALUE}).")
    long size;

    @Option(names = "--connections", defaultValue = "2", description = "TCP connections, 1 to 8, each moving an "
            + "equal share (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--chunk", converter = Sizes.class, defaultValue = "512K",
            description = "Bytes per write, 4K to 64M (default ${DEFAULT-VALUE}).")
    long chunk;

    @Option(names = "--runs", defaultValue = "3", description = "Measured runs after one warm-up (default "
            + "${DEFAULT-VALUE}); the median is reported.")
    int runs;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (chunk > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--chunk must be 4 KiB to 64 MiB, not " + chunk + " bytes");
        }
        LoopbackBench.Config config = new LoopbackBench.Config(size, connections, (int) chunk, runs);
        LoopbackBench.Result r = new LoopbackBench(config, line -> System.err.println("bench: " + line)).run();
        if (json) {
            System.out.println(Json.write(json(r)));
        } else {
            print(r);
        }
        return r.verified() ? 0 : 1;
    }

    private static Map<String, Object> json(LoopbackBench.Result r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("size-bytes", r.config().size());
        out.put("connections", r.config().connections());
        out.put("chunk-bytes", r.config().chunk());
        out.put("runs", r.config().runs());
        out.put("mibps", Math.round(r.mibps()));
        out.put("total-ms", round(r.totalMs()));
        out.put("sender-cpu-ms", Math.round(r.senderCpuMs()));
        out.put("receiver-cpu-ms", Math.round(r.receiverCpuMs()));
        out.put("verified", r.verified());
        List<Map<String, Object>> results = r.runs().stream().map(run -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mibps", Math.round(run.mibps()));
            m.put("total-ms", round(run.totalMs()));
            m.put("sender-cpu-ms", Math.round(run.senderCpuMs()));
            m.put("receiver-cpu-ms", Math.round(run.receiverCpuMs()));
            m.put("verified", run.verified());
            return m;
        }).toList();
        out.put("results", results);
        return out;
    }

    private static double round(double ms) {
        return Math.round(ms * 10) / 10.0;
    }

    private static void print(LoopbackBench.Result r) {
        LoopbackBench.Config c = r.config();
        System.out.printf("loopback TCP between two JVMs, no protocol: %s over %d connection%s in %s writes, median "
                + "of %d runs (after 1 warm-up)%n", Sizes.format(c.size()), c.connections(),
                c.connections() == 1 ? "" : "s", Sizes.format(c.chunk()), c.runs());
        System.out.printf("%-8s %10s %10s %14s %16s%n", "run", "MiB/s", "total ms", "sender CPU ms", "receiver CPU ms");
        int i = 1;
        for (LoopbackBench.Run run : r.runs()) {
            System.out.printf("%-8s %10.0f %10.1f %14.0f %16.0f%n", i++, run.mibps(), run.totalMs(), run.senderCpuMs(),
                    run.receiverCpuMs());
        }
        System.out.printf("%-8s %10.0f %10.1f %14.0f %16.0f%n", "median", r.mibps(), r.totalMs(), r.senderCpuMs(),
                r.receiverCpuMs());
        System.out.println("verified: " + r.verified());
    }
}

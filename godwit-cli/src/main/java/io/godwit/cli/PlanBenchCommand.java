package io.godwit.cli;

import io.godwit.bench.PlanBench;
import io.godwit.plan.Prediction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** godwit bench plan: the planner's predictions beside real migrations between two processes. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Predict and then really migrate a matrix of workloads; print predicted and measured figures.")
final class PlanBenchCommand implements Callable<Integer> {
    @Option(names = "--ram", converter = Sizes.class, defaultValue = "256M", description = "RAM (default ${DEFAULT-VALUE}).")
    long ram;

    @Option(names = "--max-bandwidth", converter = Sizes.class, defaultValue = "128M",
            description = "The link's rate for pre-copy, bytes/s (default ${DEFAULT-VALUE}).")
    long maxBandwidth;

    @Option(names = "--downtime-limit", defaultValue = "300", description = "downtime-limit, ms (default ${DEFAULT-VALUE}).")
    long downtimeLimit;

    @Option(names = "--cap", defaultValue = "20",
            description = "Seconds after which a migration is cancelled as not converging (default ${DEFAULT-VALUE}).")
    long cap;

    @Option(names = "--json", description = "Print the rows as a JSON array.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PlanBench bench = new PlanBench(Main.LAUNCHER, new PlanBench.Config(ram, maxBandwidth, downtimeLimit, cap),
                line -> System.err.println("bench: " + line));
        List<PlanBench.Row> rows = bench.run(PlanBench.matrix(maxBandwidth));
        List<Map<String, Object>> out = new ArrayList<>();
        for (PlanBench.Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("workload", r.workload());
            m.put("predicted", PlanCommand.prediction(r.predicted()));
            m.put("measured", PlanCommand.prediction(r.measured()));
            out.add(m);
        }
        if (json) {
            System.out.println(Json.write(out));
        } else {
            System.out.printf("%-22s %-44s %s%n", "workload", "predicted", "measured");
            for (PlanBench.Row r : rows) {
                System.out.printf("%-22s %-44s %s%n", r.workload(), text(r.predicted()), text(r.measured()));
            }
        }
        return 0;
    }

    private static String text(Prediction p) {
        return p.converges() ? String.format("%d passes, %d ms, downtime %d ms", p.passes(), p.totalTimeMs(),
                p.downtimeMs()) : "does not converge";
    }
}

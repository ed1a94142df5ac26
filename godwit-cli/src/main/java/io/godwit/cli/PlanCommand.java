package io.godwit.cli;

import io.godwit.plan.Plan;
import io.godwit.plan.Planner;
import io.godwit.plan.Prediction;
import io.godwit.plan.Scenario;
import io.godwit.plan.Suggestion;
import io.godwit.plan.WorkingSet;
import io.godwit.qmp.PlanProbe;
import io.godwit.qmp.QmpClient;
import io.godwit.qmp.QmpError;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * godwit plan: measures a running machine's working set over QMP and predicts whether a pre-copy
 * migration of it would converge, in how many passes, how long it would take and what downtime it
 * would have; when it would not, what would (see io.godwit.plan).
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Measure a running machine's dirty rate over QMP and predict its migration.")
final class PlanCommand implements Callable<Integer> {
    @Option(names = "--qmp", required = true, description = "QMP socket of the source: unix:PATH or tcp:HOST:PORT.")
    String qmp;

    @Option(names = "--bandwidth", converter = Sizes.class,
            description = "Link rate for pre-copy, bytes/s (default: the machine's max-bandwidth).")
    Long bandwidth;

    @Option(names = "--switchover-bandwidth", converter = Sizes.class,
            description = "Rate of the rest once the machine is stopped, which goes unthrottled (default: "
                    + "avail-switchover-bandwidth if set, else the pre-copy bandwidth).")
    Long switchoverBandwidth;

    @Option(names = "--downtime-limit", description = "downtime-limit in ms (default: the machine's).")
    Long downtimeLimit;

    @Option(names = "--windows", split = ",", defaultValue = "250,500,1000,2000",
            description = "Window lengths (ms) the dirty rate is measured over, ascending (default: ${DEFAULT-VALUE}).")
    long[] windows;

    @Option(names = "--mode", defaultValue = "dirty-bitmap",
            description = "calc-dirty-rate mode: dirty-bitmap or page-sampling (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--setup-ms", defaultValue = "100", description = "Setup time to expect (default: ${DEFAULT-VALUE}).")
    long setupMs;

    @Option(names = "--fixed-downtime-ms", defaultValue = "20",
            description = "Downtime beyond sending RAM: stop, devices, the destination's start (default: ${DEFAULT-VALUE}).")
    long fixedDowntimeMs;

    @Option(names = "--horizon", defaultValue = "300",
            description = "Seconds of pre-copy after which a migration counts as not converging (default: ${DEFAULT-VALUE}).")
    double horizon;

    @Option(names = "--extra-bytes", converter = Sizes.class, defaultValue = "0",
            description = "State besides RAM that migrates too, e.g. devices (default: ${DEFAULT-VALUE}).")
    long extraBytes;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (QmpClient c = QmpClient.connect(qmp)) {
            PlanProbe.Measured m = new PlanProbe(c).measure(bandwidth, switchoverBandwidth, downtimeLimit, windows,
                    mode, setupMs, fixedDowntimeMs, extraBytes);
            Plan plan = new Planner(horizon).plan(m.scenario(), m.workingSet());
            if (json) {
                System.out.println(Json.write(toJson(plan, m.workingSet())));
            } else {
                printText(System.out, plan, m.workingSet());
            }
            return 0;
        } catch (QmpError e) {
            System.err.println("godwit: " + e.errorClass() + ": " + e.getMessage());
            return 1;
        }
    }

    static Map<String, Object> prediction(Prediction p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("converges", p.converges());
        m.put("passes", p.passes());
        m.put("total-time-ms", p.totalTimeMs());
        m.put("downtime-ms", p.downtimeMs());
        return m;
    }

    static Map<String, Object> toJson(Plan plan, WorkingSet ws) {
        Map<String, Object> out = prediction(plan.prediction());
        List<Map<String, Object>> sugg = new ArrayList<>();
        for (Suggestion s : plan.suggestions()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", s.kind());
            m.put("settings", s.settings());
            m.putAll(prediction(s.predicted()));
            m.put("note", s.note());
            sugg.add(m);
        }
        out.put("suggestions", sugg);
        Scenario sc = plan.scenario();
        out.put("ram", (long) sc.ramBytes());
        out.put("bandwidth", (long) sc.bandwidth());
        out.put("switchover-bandwidth", (long) sc.switchoverBandwidth());
        out.put("downtime-limit", sc.downtimeLimitMs());
        List<Map<String, Object>> set = new ArrayList<>();
        double[][] samples = ws.samples();
        for (int i = 0; i < samples[0].length; i++) {
            set.add(Map.of("window-ms", Math.round(samples[0][i] * 1000), "dirtied-bytes", Math.round(samples[1][i]),
                    "dirty-rate", Math.round(samples[1][i] / samples[0][i])));
        }
        out.put("working-set", set);
        return out;
    }

    private static void printText(PrintStream o, Plan plan, WorkingSet ws) {
        Scenario s = plan.scenario();
        o.printf("machine: %s RAM; bandwidth %s/s (switchover %s/s); downtime-limit %d ms%n",
                Sizes.format(s.ramBytes()), Sizes.format(s.bandwidth()), Sizes.format(s.switchoverBandwidth()),
                s.downtimeLimitMs());
        double[][] w = ws.samples();
        StringBuilder sb = new StringBuilder("working set:");
        for (int i = 0; i < w[0].length; i++) {
            sb.append(String.format(" %d ms: %s (%s/s);", Math.round(w[0][i] * 1000), Sizes.format(w[1][i]),
                    Sizes.format(w[1][i] / w[0][i])));
        }
        o.println(sb.substring(0, sb.length() - 1));
        Prediction p = plan.prediction();
        o.println(p.converges() ? String.format("pre-copy converges: %d passes, total %d ms, downtime %d ms",
                p.passes(), p.totalTimeMs(), p.downtimeMs())
                : "pre-copy does not converge: what is dirtied keeps up with the link");
        if (!plan.suggestions().isEmpty()) {
            o.println("what would converge:");
        }
        for (Suggestion x : plan.suggestions()) {
            Prediction q = x.predicted();
            o.printf("  %-15s %-40s %s%n", x.kind(), x.settings(), q.converges() ? String.format(
                    "%d passes, total %d ms, downtime %d ms", q.passes(), q.totalTimeMs(), q.downtimeMs())
                    : "does not converge");
            o.printf("  %-15s %s%n", "", x.note());
        }
    }
}

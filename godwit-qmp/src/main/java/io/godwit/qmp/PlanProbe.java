package io.godwit.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.plan.Scenario;
import io.godwit.plan.WorkingSet;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a planner learns from a running machine over QMP: its RAM (query-memory-size-summary), its
 * migration parameters, and its working set, from one calc-dirty-rate per window length (the
 * rate over each window times its length is what that window dirtied). Works against QEMU too,
 * with whole MiB/s.
 */
public final class PlanProbe {
    private final QmpClient qmp;

    public PlanProbe(QmpClient qmp) {
        this.qmp = qmp;
    }

    /** A scenario with its working set, as measured. */
    public record Measured(Scenario scenario, WorkingSet workingSet) {}

    /**
     * Everything a plan needs: null {@code bandwidth}, {@code switchover} and {@code downtimeLimit}
     * are the machine's (max-bandwidth; avail-switchover-bandwidth, else the bandwidth;
     * downtime-limit). {@code extraBytes}: state besides RAM that the first pass also sends
     * (devices), which the dirty rate does not see.
     */
    public Measured measure(Long bandwidth, Long switchover, Long downtimeLimit, long[] windowsMs, String mode,
            long setupMs, long fixedDowntimeMs, long extraBytes) throws IOException, InterruptedException {
        if (windowsMs.length == 0 || java.util.Arrays.stream(windowsMs).anyMatch(w -> w < 50 || w > 60_000)) {
            throw new IllegalArgumentException("windows: 50 to 60000 ms each, at least one");
        }
        if (extraBytes < 0) {
            throw new IllegalArgumentException("extra bytes must not be negative: " + extraBytes);
        }
        long[] sorted = java.util.Arrays.stream(windowsMs).sorted().distinct().toArray();
        long ram = ramBytes();
        JsonNode params = parameters();
        long b = bandwidth != null ? bandwidth : params.path("max-bandwidth").asLong();
        if (b <= 0) {
            throw new IllegalArgumentException("max-bandwidth is 0 (unlimited) on the machine: give the rate the "
                    + "link carries (--bandwidth)");
        }
        long avail = params.path("avail-switchover-bandwidth").asLong(0);
        long sw = switchover != null ? switchover : avail > 0 ? avail : b;
        long limit = downtimeLimit != null ? downtimeLimit : params.path("downtime-limit").asLong(300);
        WorkingSet ws = workingSet(sorted, mode, ram);
        return new Measured(new Scenario(ram + extraBytes, b, sw, limit, setupMs, fixedDowntimeMs), ws);
    }

    public long ramBytes() throws IOException {
        long b = qmp.execute("query-memory-size-summary").path("base-memory").asLong(-1);
        if (b <= 0) {
            throw new IOException("query-memory-size-summary gave no base-memory");
        }
        return b;
    }

    /** query-migrate-parameters as a map of name to value. */
    public JsonNode parameters() throws IOException {
        return qmp.execute("query-migrate-parameters");
    }

    /**
     * Measures the bytes dirtied in windows of {@code windowsMs}, one after the other, in
     * {@code mode} (dirty-bitmap, or page-sampling with the most samples). Waits at most the
     * window plus 30 s for each.
     */
    public WorkingSet workingSet(long[] windowsMs, String mode, long ramBytes) throws IOException, InterruptedException {
        double[] seconds = new double[windowsMs.length];
        double[] bytes = new double[windowsMs.length];
        for (int i = 0; i < windowsMs.length; i++) {
            JsonNode r = measure(windowsMs[i], mode);
            double rate = r.has("x-dirty-rate-bytes") ? r.path("x-dirty-rate-bytes").asDouble()
                    : r.path("dirty-rate").asDouble() * (1 << 20);
            double measuredMs = Math.max(1, r.path("calc-time").asDouble(windowsMs[i]));
            seconds[i] = measuredMs / 1000.0;
            bytes[i] = rate * seconds[i];
        }
        for (int i = 1; i < seconds.length; i++) { // a window that overran its neighbour keeps the order
            seconds[i] = Math.max(seconds[i], seconds[i - 1] + 1e-3);
        }
        return new WorkingSet(seconds, bytes, ramBytes);
    }

    private JsonNode measure(long ms, String mode) throws IOException, InterruptedException {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("calc-time", ms);
        args.put("calc-time-unit", "millisecond");
        args.put("mode", mode);
        if (mode.equals("page-sampling")) {
            args.put("sample-pages", 16384);
        }
        qmp.execute("calc-dirty-rate", args);
        long deadline = System.nanoTime() + Duration.ofMillis(ms).plusSeconds(30).toNanos();
        while (true) {
            JsonNode r = qmp.execute("query-dirty-rate", Map.of("calc-time-unit", "millisecond"));
            if (r.path("status").asText().equals("measured")) {
                return r;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("calc-dirty-rate of " + ms + " ms not measured within 30 s more: " + r);
            }
            Thread.sleep(Math.min(50, Math.max(5, ms / 10)));
        }
    }
}

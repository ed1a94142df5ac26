package io.godwit.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Predicts a migration and, when pre-copy would not converge within the horizon, searches for the
 * smallest downtime limit and the smallest bandwidth that would make it converge, predicts QEMU's
 * auto-converge, searches the highest dirty limit that would do, and predicts post-copy.
 */
public final class Planner {
    /** QEMU's highest downtime-limit, ms. */
    static final long MAX_DOWNTIME_LIMIT_MS = 2_000_000;
    /** Bandwidths up to this multiple of the current one are searched. */
    static final double MAX_BANDWIDTH_FACTOR = 64;
    private static final double MIB = 1 << 20;

    private final double horizonSeconds;

    /** A migration that has not converged after {@code horizonSeconds} of pre-copy does not converge. */
    public Planner(double horizonSeconds) {
        if (!(horizonSeconds > 0)) {
            throw new IllegalArgumentException("the horizon must be positive: " + horizonSeconds);
        }
        this.horizonSeconds = horizonSeconds;
    }

    public Plan plan(Scenario s, WorkingSet ws) {
        Prediction p = PrecopyModel.predict(s, ws, Throttle.NONE, horizonSeconds);
        if (p.converges()) {
            return new Plan(s, p, List.of());
        }
        List<Suggestion> out = new ArrayList<>();
        downtimeLimit(s, ws, out);
        bandwidth(s, ws, out);
        Prediction auto = PrecopyModel.predict(s, ws, Throttle.autoConverge(), horizonSeconds);
        out.add(new Suggestion("auto-converge", Map.of("auto-converge", true), auto, auto.converges()
                ? "QEMU's default throttle (20% at the second period that dirties over half what it sends, +10% at"
                        + " each further one, up to 99%); the writers end slowed by "
                        + auto.throttlePercent() + "%"
                : "not within " + Math.round(horizonSeconds) + " s: the throttle had reached " + auto.throttlePercent()
                        + "%"));
        dirtyLimit(s, ws, out);
        out.add(new Suggestion("postcopy", Map.of("postcopy-ram", true), PrecopyModel.postcopy(s, ws),
                "switch after the bulk pass (migrate-start-postcopy); pages dirtied since come on demand, so "
                        + "the destination waits for some reads (Godwit and QEMU both do it)"));
        return new Plan(s, p, out);
    }

    private void downtimeLimit(Scenario s, WorkingSet ws, List<Suggestion> out) {
        long lo = Math.max(1, s.downtimeLimitMs());
        long hi = MAX_DOWNTIME_LIMIT_MS;
        if (!converges(s.withDowntimeLimitMs(hi), ws)) {
            return;
        }
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            if (converges(s.withDowntimeLimitMs(mid), ws)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        Prediction p = PrecopyModel.predict(s.withDowntimeLimitMs(hi), ws, Throttle.NONE, horizonSeconds);
        out.add(new Suggestion("downtime-limit", Map.of("downtime-limit", hi), p,
                "the smallest downtime limit that converges"));
    }

    private void bandwidth(Scenario s, WorkingSet ws, List<Suggestion> out) {
        double lo = s.bandwidth();
        double hi = s.bandwidth() * MAX_BANDWIDTH_FACTOR;
        if (!converges(s.withBandwidth(hi), ws)) {
            return;
        }
        for (int i = 0; i < 40 && hi - lo > MIB; i++) {
            double mid = (lo + hi) / 2;
            if (converges(s.withBandwidth(mid), ws)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        long rounded = (long) (Math.ceil(hi / MIB) * MIB);
        Prediction p = PrecopyModel.predict(s.withBandwidth(rounded), ws, Throttle.NONE, horizonSeconds);
        String note = rounded > s.switchoverBandwidth()
                ? "more than the link carries (" + Math.round(s.switchoverBandwidth() / MIB) + " MiB/s): a faster link"
                : "the smallest max-bandwidth that converges";
        out.add(new Suggestion("max-bandwidth", Map.of("max-bandwidth", rounded), p, note));
    }

    private void dirtyLimit(Scenario s, WorkingSet ws, List<Suggestion> out) {
        double lo = MIB; // QEMU's vcpu-dirty-limit is in MB/s, at least 1
        double hi = ws.rate(1.0);
        if (!converges(s, ws, Throttle.dirtyLimit(lo))) {
            return;
        }
        for (int i = 0; i < 40 && hi - lo > MIB / 2; i++) {
            double mid = (lo + hi) / 2;
            if (converges(s, ws, Throttle.dirtyLimit(mid))) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        long mibps = Math.max(1, (long) Math.floor(lo / MIB));
        Prediction p = PrecopyModel.predict(s, ws, Throttle.dirtyLimit(mibps * MIB), horizonSeconds);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("dirty-limit", true);
        settings.put("vcpu-dirty-limit", mibps);
        out.add(new Suggestion("dirty-limit", settings, p, "the highest dirty rate (MiB/s) that converges"));
    }

    private boolean converges(Scenario s, WorkingSet ws) {
        return converges(s, ws, Throttle.NONE);
    }

    private boolean converges(Scenario s, WorkingSet ws, Throttle t) {
        return PrecopyModel.predict(s, ws, t, horizonSeconds).converges();
    }
}

package io.godwit.plan;

/**
 * Steps through QEMU's pre-copy loop (migration_iteration_run) as Godwit runs it: after setup the
 * whole RAM is pending (the bulk pass); every 100 ms window sends bandwidth x 100 ms; once the
 * pending bytes drop under the threshold, a sync adds the bytes dirtied since the last sync (those
 * not pending already) and counts a pass; when what is pending then fits the threshold, the
 * machine stops and the rest goes at the switchover bandwidth.
 */
public final class PrecopyModel {
    /** The rate limiter's window (QEMU's BUFFER_DELAY). */
    static final double WINDOW_SECONDS = 0.1;

    private PrecopyModel() {}

    public static Prediction predict(Scenario s, WorkingSet ws, Throttle throttle, double horizonSeconds) {
        double threshold = s.thresholdBytes();
        double step = s.bandwidth() * WINDOW_SECONDS;
        double t = s.setupMs() / 1000.0;
        double pending = s.ramBytes();
        double lastSync = t;
        double sentSinceSync = 0;
        int passes = 1; // the setup's sync
        int percent = 0;
        int highCount = 0;
        double share = 1;
        if (throttle.kind() == Throttle.Kind.DIRTY_LIMIT) {
            share = Math.min(1, throttle.limitBytesPerSecond() / Math.max(1, ws.rate(1.0)));
        }
        while (t < horizonSeconds) {
            if (pending < threshold) {
                double dirtied = dirtied(ws, share, t - lastSync);
                pending += dirtied * (1 - pending / s.ramBytes()); // pages still pending count once
                passes++;
                if (throttle.kind() == Throttle.Kind.AUTO_CONVERGE) {
                    if (dirtied > sentSinceSync * throttle.triggerPercent() / 100.0) {
                        if (++highCount >= 2) {
                            percent = percent == 0 ? throttle.initial() : Math.min(throttle.max(),
                                    percent + throttle.increment());
                            highCount = 0;
                            share = 1 - percent / 100.0;
                        }
                    } else {
                        highCount = 0;
                    }
                }
                lastSync = t;
                sentSinceSync = 0;
                if (pending <= threshold) {
                    return switchover(s, t, pending, passes + 1, percent, true);
                }
            }
            double send = Math.min(pending, step);
            pending -= send;
            sentSinceSync += send;
            t += send > 0 ? send / s.bandwidth() : WINDOW_SECONDS; // nothing to send: the loop idles a window
        }
        return switchover(s, t, pending, passes + 1, percent, false);
    }

    private static double dirtied(WorkingSet ws, double share, double seconds) {
        return ws.dirtied(seconds * share); // writers running a share of the time dirty as in a shorter window
    }

    private static Prediction switchover(Scenario s, double t, double pending, int passes, int percent,
            boolean converges) {
        double downtime = s.fixedDowntimeMs() / 1000.0 + pending / s.switchoverBandwidth();
        return new Prediction(converges, passes, Math.round((t + downtime) * 1000), Math.round(downtime * 1000),
                percent);
    }

    /**
     * Post-copy started after the bulk pass: the machine switches as soon as the first pass is
     * out, what was dirtied meanwhile follows on demand and in the background; the downtime is
     * only the fixed part. Always converges.
     */
    public static Prediction postcopy(Scenario s, WorkingSet ws) {
        double bulk = s.ramBytes() / s.bandwidth();
        double after = ws.dirtied(bulk) / s.bandwidth();
        double t = s.setupMs() / 1000.0 + bulk + after + s.fixedDowntimeMs() / 1000.0;
        return new Prediction(true, 2, Math.round(t * 1000), s.fixedDowntimeMs(), 0);
    }
}

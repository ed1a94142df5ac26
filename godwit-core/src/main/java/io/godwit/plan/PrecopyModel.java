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
        Trigger trigger = new Trigger(throttle, t);
        double share = 1;
        while (t < horizonSeconds) {
            if (pending < threshold) {
                double dirtied = dirtied(ws, share, t - lastSync);
                double fresh = dirtied * (1 - pending / s.ramBytes()); // pages still pending count once
                pending += fresh;
                passes++;
                if (trigger.fires(t, fresh, sentSinceSync)) {
                    if (throttle.kind() == Throttle.Kind.AUTO_CONVERGE) {
                        percent = trigger.next(percent);
                        share = 1 - percent / 100.0;
                    } else if (throttle.kind() == Throttle.Kind.DIRTY_LIMIT) {
                        share = Math.min(1, throttle.limitBytesPerSecond() / Math.max(1, ws.rate(1.0)));
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

    /**
     * QEMU's migration_trigger_throttle: at a sync more than a second after the period began, the
     * bytes newly dirtied in the period are compared with the trigger's share of the bytes sent in
     * it; the second time they exceed it (a period below does not reset the count), it fires.
     */
    private static final class Trigger {
        private final Throttle throttle;
        private double periodStart;
        private double dirty;
        private double sent;
        private int highCount;

        Trigger(Throttle throttle, double start) {
            this.throttle = throttle;
            this.periodStart = start;
        }

        boolean fires(double t, double dirtied, double sentSinceSync) {
            dirty += dirtied;
            sent += sentSinceSync;
            if (throttle.kind() == Throttle.Kind.NONE || t - periodStart <= 1.0) {
                return false;
            }
            boolean fire = dirty > sent * throttle.triggerPercent() / 100.0 && ++highCount >= 2;
            if (fire) {
                highCount = 0;
            }
            periodStart = t;
            dirty = 0;
            sent = 0;
            return fire;
        }

        int next(int percent) {
            return throttle.parameters().nextThrottle(percent, 1, 0);
        }
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

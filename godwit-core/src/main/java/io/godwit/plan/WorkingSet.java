package io.godwit.plan;

import java.util.Arrays;

/**
 * How many distinct bytes a machine dirties in a window of {@code t} seconds, from measurements
 * over a few window lengths (the dirty rate over each window times its length). Between
 * measurements it is linear; past the longest it follows the saturating curve S(1 - e^(-t/tau))
 * through the last two measurements when they bend (a hot set filling up), or the last slope when
 * they do not; never more than the RAM, never less than the longest measurement.
 */
public final class WorkingSet {
    private final double[] seconds;
    private final double[] bytes;
    private final double ramBytes;
    private final double saturation; // S, or NaN when the curve does not bend
    private final double tau;

    /** {@code seconds} ascending, positive; {@code bytes[i]} dirtied in a window of {@code seconds[i]}. */
    public WorkingSet(double[] seconds, double[] bytes, double ramBytes) {
        if (seconds.length == 0 || seconds.length != bytes.length) {
            throw new IllegalArgumentException("a working set needs as many windows as figures, at least one");
        }
        for (int i = 0; i < seconds.length; i++) {
            if (!(seconds[i] > 0) || (i > 0 && seconds[i] <= seconds[i - 1]) || !(bytes[i] >= 0)) {
                throw new IllegalArgumentException("windows must be positive and ascending, figures not negative: "
                        + Arrays.toString(seconds) + " " + Arrays.toString(bytes));
            }
        }
        this.seconds = seconds.clone();
        this.bytes = bytes.clone();
        for (int i = 1; i < this.bytes.length; i++) { // distinct bytes never shrink with a longer window
            this.bytes[i] = Math.max(this.bytes[i], this.bytes[i - 1]);
        }
        this.ramBytes = ramBytes;
        double s = Double.NaN;
        double t = Double.NaN;
        int n = seconds.length;
        if (n >= 2 && this.bytes[n - 2] > 0) {
            // for S(1 - e^(-t/tau)): W(t2)/W(t1) with t2 = k t1 fixes tau; solved numerically for any k
            double k = seconds[n - 1] / seconds[n - 2];
            double q = this.bytes[n - 1] / this.bytes[n - 2];
            if (q < k * 0.98) {
                t = solveTau(seconds[n - 2], k, q);
                s = this.bytes[n - 1] / (1 - Math.exp(-seconds[n - 1] / t));
            }
        }
        this.saturation = s;
        this.tau = t;
    }

    /** A machine that dirties {@code bytesPerSecond} uniformly forever (no saturation below the RAM). */
    public static WorkingSet linear(double bytesPerSecond, double ramBytes) {
        return new WorkingSet(new double[] {1}, new double[] {bytesPerSecond}, ramBytes);
    }

    /** tau with (1 - e^(-k t1/tau)) / (1 - e^(-t1/tau)) = q, 1 < q < k: bisection on x = t1/tau. */
    private static double solveTau(double t1, double k, double q) {
        double lo = 1e-9;
        double hi = 50;
        for (int i = 0; i < 100; i++) {
            double x = (lo + hi) / 2;
            double ratio = (1 - Math.exp(-k * x)) / (1 - Math.exp(-x));
            if (ratio > q) {
                lo = x; // ratio falls from k towards 1 as x grows
            } else {
                hi = x;
            }
        }
        return t1 / ((lo + hi) / 2);
    }

    /** Distinct bytes dirtied in a window of {@code t} seconds. */
    public double dirtied(double t) {
        if (t <= 0) {
            return 0;
        }
        int n = seconds.length;
        double w;
        if (t <= seconds[0]) {
            w = bytes[0] * t / seconds[0];
        } else if (t <= seconds[n - 1]) {
            int i = 1;
            while (seconds[i] < t) {
                i++;
            }
            double f = (t - seconds[i - 1]) / (seconds[i] - seconds[i - 1]);
            w = bytes[i - 1] + f * (bytes[i] - bytes[i - 1]);
        } else if (!Double.isNaN(saturation)) {
            w = saturation * (1 - Math.exp(-t / tau));
        } else {
            double slope = n >= 2 ? (bytes[n - 1] - bytes[n - 2]) / (seconds[n - 1] - seconds[n - 2])
                    : bytes[0] / seconds[0];
            w = bytes[n - 1] + slope * (t - seconds[n - 1]);
        }
        return Math.min(w, ramBytes);
    }

    /** The dirty rate over a window of {@code t} seconds, bytes/s. */
    public double rate(double t) {
        return dirtied(t) / t;
    }

    /** The same machine with its writers slowed to {@code share} of their speed (a throttle). */
    public WorkingSet slowed(double share) {
        double[] s = new double[seconds.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = seconds[i] / share; // what took t now takes t / share
        }
        return new WorkingSet(s, bytes, ramBytes);
    }

    public double ramBytes() {
        return ramBytes;
    }

    /** The measured windows (seconds) and figures (bytes), for reports. */
    public double[][] samples() {
        return new double[][] {seconds.clone(), bytes.clone()};
    }
}

package io.godwit.cli;

import java.io.PrintStream;

/**
 * The progress of a migration, one sample at a time: on a terminal a bar of the current pass
 * (how much of what the pass started with is sent), rewritten in place and left standing when the
 * next pass begins; otherwise one plain line per sample. Both carry the pass, the remaining bytes,
 * the throughput, the dirty rate, the expected downtime and an ETA: the remaining bytes over what
 * the link gains on the writers (throughput less dirty rate), "-" while it gains nothing.
 */
final class ProgressLine {
    private static final int BAR = 24;

    private final PrintStream out;
    private final boolean tty;
    private long pass = -1;
    private long passStartRemaining;
    private boolean open; // a bar is on the line, not yet ended

    ProgressLine(PrintStream out, boolean tty) {
        this.out = out;
        this.tty = tty;
    }

    /** Standard output or error goes to a terminal (so a bar can be redrawn). */
    static boolean terminal() {
        return System.console() != null && System.console().isTerminal();
    }

    /** One sample; {@code expectedDowntimeMs} < 0 when not known. */
    void print(long pass, long transferred, long remaining, double throughput, double dirtyRate,
            long expectedDowntimeMs) {
        if (pass != this.pass) {
            if (open) {
                out.println();
                open = false;
            }
            this.pass = pass;
            passStartRemaining = Math.max(remaining, 1);
        }
        passStartRemaining = Math.max(passStartRemaining, remaining);
        String eta = eta(remaining, throughput, dirtyRate);
        // the rate is measured between syncs: none is known before the first pass ends
        String dirty = dirtyRate > 0 || pass > 1 ? Sizes.format(dirtyRate) + "/s" : "-";
        String downtime = expectedDowntimeMs < 0 ? "-" : expectedDowntimeMs + " ms";
        if (tty) {
            out.print("\r\033[K" + String.format("pass %d %s remaining %s | %s/s | dirty %s | eta %s | downtime %s",
                    pass, bar(remaining), Sizes.format(remaining), Sizes.format(throughput), dirty,
                    eta, downtime));
            open = true;
        } else {
            out.printf("pass %d | transferred %s | remaining %s | %s/s | dirty %s | expected downtime %s | eta %s%n",
                    pass, Sizes.format(transferred), Sizes.format(remaining), Sizes.format(throughput),
                    dirty, downtime, eta);
        }
        out.flush();
    }

    /** Ends a bar left on the line. */
    void end() {
        if (open) {
            out.println();
            open = false;
        }
    }

    private String bar(long remaining) {
        int done = (int) Math.round(BAR * (1 - (double) remaining / passStartRemaining));
        done = Math.max(0, Math.min(BAR, done));
        return "[" + "#".repeat(done) + "-".repeat(BAR - done) + "]";
    }

    static String eta(long remaining, double throughput, double dirtyRate) {
        double gain = throughput - dirtyRate;
        if (remaining == 0) {
            return "0 s";
        }
        if (gain <= 0) {
            return "-";
        }
        return String.format("%.1f s", remaining / gain);
    }
}

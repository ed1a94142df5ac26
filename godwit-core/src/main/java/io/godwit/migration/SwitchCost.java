package io.godwit.migration;

/**
 * The fixed costs of a switch, estimated before it: the part of the downtime that does not
 * depend on how many bytes are left. The threshold leaves them out of the downtime limit:
 * {@code threshold = bandwidth x (downtime-limit - fixed costs)}.
 *
 * @param stopNanos stopping the machine: the longest recent workload step (a pause waits for it)
 * @param linkNanos a PING's round trip to the destination during pre-copy; its PONG leaves only
 *     once the destination has loaded everything before the PING, so this includes its backlog
 * @param flushNanos with multifd: the channels' last sync during pre-copy (their queues drained,
 *     which the switch's last sync waits for too); 0 without
 * @param restNanos what the last switch on this node cost beyond its stop, its link and its bytes
 *     at the measured bandwidth (completing the sections, the last flush and multifd sync, the
 *     destination's load end and start); 0 before the first switch
 */
public record SwitchCost(long stopNanos, long linkNanos, long flushNanos, long restNanos) {
    /** Whatever the fixed costs, this fraction of the downtime limit stays for bytes. */
    public static final double MIN_BUDGET_FRACTION = 0.1;

    public static final SwitchCost NONE = new SwitchCost(0, 0, 0, 0);

    public SwitchCost {
        if (stopNanos < 0 || linkNanos < 0 || flushNanos < 0 || restNanos < 0) {
            throw new IllegalArgumentException("negative switch cost: " + stopNanos + "/" + linkNanos + "/" + flushNanos
                    + "/" + restNanos);
        }
    }

    public long totalNanos() {
        return stopNanos + linkNanos + flushNanos + restNanos;
    }

    /**
     * The part of {@code downtimeLimitMs} left for sending bytes once the fixed costs are paid,
     * never less than {@link #MIN_BUDGET_FRACTION} of it (fixed costs beyond the limit cannot be
     * met by waiting, and a stale figure must not stall the migration for good).
     */
    public double budgetMs(long downtimeLimitMs) {
        double left = downtimeLimitMs - totalNanos() / 1e6;
        return Math.max(left, downtimeLimitMs * MIN_BUDGET_FRACTION);
    }

    static double ms(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }
}

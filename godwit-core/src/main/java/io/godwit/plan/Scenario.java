package io.godwit.plan;

/**
 * What a migration would start from: the RAM to move, the pre-copy bandwidth (max-bandwidth, or
 * what the link carries when unlimited), the bandwidth of the switchover (Godwit sends the rest
 * unlimited once the machine is stopped, so it is the link's), the downtime limit, and two fixed
 * costs: setup (connect, first sync) and the part of the downtime that is not RAM (stopping,
 * device state, the destination's start). Rates in bytes/s.
 */
public record Scenario(double ramBytes, double bandwidth, double switchoverBandwidth, long downtimeLimitMs,
        long setupMs, long fixedDowntimeMs) {
    public Scenario {
        if (!(ramBytes > 0) || !(bandwidth > 0) || !(switchoverBandwidth > 0) || downtimeLimitMs < 0 || setupMs < 0
                || fixedDowntimeMs < 0) {
            throw new IllegalArgumentException("RAM and bandwidths must be positive, times not negative");
        }
    }

    public Scenario withBandwidth(double b) {
        return new Scenario(ramBytes, b, Math.max(b, switchoverBandwidth), downtimeLimitMs, setupMs, fixedDowntimeMs);
    }

    public Scenario withDowntimeLimitMs(long ms) {
        return new Scenario(ramBytes, bandwidth, switchoverBandwidth, ms, setupMs, fixedDowntimeMs);
    }

    /** The switchover threshold: what may be left when the machine stops. */
    public double thresholdBytes() {
        return bandwidth * downtimeLimitMs / 1000.0;
    }
}

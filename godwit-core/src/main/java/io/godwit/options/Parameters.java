package io.godwit.options;

/**
 * Migration parameters with QEMU's names, defaults and validation (migration/options.c).
 *
 * @param downtimeLimitMs downtime-limit: the longest pause allowed at switchover, in ms
 * @param maxBandwidth max-bandwidth: bytes/s the migration may use; 0 means no limit
 * @param availSwitchoverBandwidth avail-switchover-bandwidth: bytes/s to assume at switchover
 *     instead of the measured bandwidth; 0 means use the measured one
 * @param maxPostcopyBandwidth max-postcopy-bandwidth: bytes/s the background pages may use once
 *     post-copy has started (requested pages are never held back); 0 means no limit
 */
public record Parameters(long downtimeLimitMs, long maxBandwidth, long availSwitchoverBandwidth,
        long maxPostcopyBandwidth) {
    public static final long DEFAULT_DOWNTIME_LIMIT_MS = 300;
    public static final long MAX_DOWNTIME_LIMIT_MS = 2_000_000;
    public static final long DEFAULT_MAX_BANDWIDTH = 128L << 20;

    public static final String DOWNTIME_LIMIT = "downtime-limit";
    public static final String MAX_BANDWIDTH = "max-bandwidth";
    public static final String AVAIL_SWITCHOVER_BANDWIDTH = "avail-switchover-bandwidth";
    public static final String MAX_POSTCOPY_BANDWIDTH = "max-postcopy-bandwidth";

    public Parameters {
        if (downtimeLimitMs < 0 || downtimeLimitMs > MAX_DOWNTIME_LIMIT_MS) {
            throw new IllegalArgumentException(outOfRange(DOWNTIME_LIMIT));
        }
        if (maxBandwidth < 0) {
            throw new IllegalArgumentException(outOfRange(MAX_BANDWIDTH));
        }
        if (availSwitchoverBandwidth < 0) {
            throw new IllegalArgumentException(outOfRange(AVAIL_SWITCHOVER_BANDWIDTH));
        }
        if (maxPostcopyBandwidth < 0) {
            throw new IllegalArgumentException(outOfRange(MAX_POSTCOPY_BANDWIDTH));
        }
    }

    /** The parameters before post-copy had its own bandwidth: no limit after the switch. */
    public Parameters(long downtimeLimitMs, long maxBandwidth, long availSwitchoverBandwidth) {
        this(downtimeLimitMs, maxBandwidth, availSwitchoverBandwidth, 0);
    }

    /**
     * The error for a value outside the range of the parameter named {@code name} (its QMP name),
     * in QEMU's words. QEMU takes bandwidths up to 2^64-1; Godwit holds them in a long.
     */
    public static String outOfRange(String name) {
        return switch (name) {
            case DOWNTIME_LIMIT -> "Parameter 'downtime_limit' expects an integer in the range of 0 to "
                    + MAX_DOWNTIME_LIMIT_MS + " milliseconds";
            case MAX_BANDWIDTH -> "Parameter 'max_bandwidth' expects an integer in the range of 0 to "
                    + Long.MAX_VALUE + " bytes/second";
            case AVAIL_SWITCHOVER_BANDWIDTH -> "Parameter 'avail_switchover_bandwidth' expects an integer in the range"
                    + " of 0 to " + Long.MAX_VALUE + " bytes/second";
            case MAX_POSTCOPY_BANDWIDTH -> "Parameter 'max_postcopy_bandwidth' expects an integer in the range"
                    + " of 0 to " + Long.MAX_VALUE + " bytes/second";
            default -> throw new IllegalArgumentException("Parameter '" + name + "' is unexpected");
        };
    }

    public static Parameters defaults() {
        return new Parameters(DEFAULT_DOWNTIME_LIMIT_MS, DEFAULT_MAX_BANDWIDTH, 0);
    }

    public Parameters withDowntimeLimitMs(long v) {
        return new Parameters(v, maxBandwidth, availSwitchoverBandwidth, maxPostcopyBandwidth);
    }

    public Parameters withMaxBandwidth(long v) {
        return new Parameters(downtimeLimitMs, v, availSwitchoverBandwidth, maxPostcopyBandwidth);
    }

    public Parameters withAvailSwitchoverBandwidth(long v) {
        return new Parameters(downtimeLimitMs, maxBandwidth, v, maxPostcopyBandwidth);
    }

    public Parameters withMaxPostcopyBandwidth(long v) {
        return new Parameters(downtimeLimitMs, maxBandwidth, availSwitchoverBandwidth, v);
    }

    /** Sets one parameter by its QMP name. */
    public Parameters with(String name, long value) {
        return switch (name) {
            case DOWNTIME_LIMIT -> withDowntimeLimitMs(value);
            case MAX_BANDWIDTH -> withMaxBandwidth(value);
            case AVAIL_SWITCHOVER_BANDWIDTH -> withAvailSwitchoverBandwidth(value);
            case MAX_POSTCOPY_BANDWIDTH -> withMaxPostcopyBandwidth(value);
            default -> throw new IllegalArgumentException("Parameter '" + name + "' is unexpected");
        };
    }
}

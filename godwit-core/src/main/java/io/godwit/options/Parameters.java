package io.godwit.options;

/**
 * Migration parameters with QEMU's names, defaults and validation (migration/options.c), and
 * Godwit's timeouts (x- names: QEMU has no such parameters). A timeout of 0 means none.
 *
 * @param downtimeLimitMs downtime-limit: the longest pause allowed at switchover, in ms
 * @param maxBandwidth max-bandwidth: bytes/s the migration may use; 0 means no limit
 * @param availSwitchoverBandwidth avail-switchover-bandwidth: bytes/s to assume at switchover
 *     instead of the measured bandwidth; 0 means use the measured one
 * @param maxPostcopyBandwidth max-postcopy-bandwidth: bytes/s the background pages may use once
 *     post-copy has started (requested pages are never held back); 0 means no limit
 * @param connectTimeoutMs x-connect-timeout: how long the source waits for its connection
 * @param incomingIdleTimeoutMs x-incoming-idle-timeout: how long the destination keeps a
 *     connection that has not sent a stream header
 * @param incomingReadTimeoutMs x-incoming-read-timeout: how long the destination waits for the
 *     next byte of an incoming migration before failing it
 * @param returnPathTimeoutMs x-return-path-timeout: how long the source waits, with the whole
 *     stream sent, for the destination's SHUT
 */
public record Parameters(long downtimeLimitMs, long maxBandwidth, long availSwitchoverBandwidth,
        long maxPostcopyBandwidth, long connectTimeoutMs, long incomingIdleTimeoutMs, long incomingReadTimeoutMs,
        long returnPathTimeoutMs) {
    public static final long DEFAULT_DOWNTIME_LIMIT_MS = 300;
    public static final long MAX_DOWNTIME_LIMIT_MS = 2_000_000;
    public static final long DEFAULT_MAX_BANDWIDTH = 128L << 20;
    /** Linux gives up on a connect after about 130 s (tcp_syn_retries 6); users want less. */
    public static final long DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_INCOMING_IDLE_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_INCOMING_READ_TIMEOUT_MS = 60_000;
    public static final long DEFAULT_RETURN_PATH_TIMEOUT_MS = 60_000;
    /** The longest timeout: one day. */
    public static final long MAX_TIMEOUT_MS = 86_400_000;

    public static final String DOWNTIME_LIMIT = "downtime-limit";
    public static final String MAX_BANDWIDTH = "max-bandwidth";
    public static final String AVAIL_SWITCHOVER_BANDWIDTH = "avail-switchover-bandwidth";
    public static final String MAX_POSTCOPY_BANDWIDTH = "max-postcopy-bandwidth";
    public static final String CONNECT_TIMEOUT = "x-connect-timeout";
    public static final String INCOMING_IDLE_TIMEOUT = "x-incoming-idle-timeout";
    public static final String INCOMING_READ_TIMEOUT = "x-incoming-read-timeout";
    public static final String RETURN_PATH_TIMEOUT = "x-return-path-timeout";

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
        checkTimeout(CONNECT_TIMEOUT, connectTimeoutMs);
        checkTimeout(INCOMING_IDLE_TIMEOUT, incomingIdleTimeoutMs);
        checkTimeout(INCOMING_READ_TIMEOUT, incomingReadTimeoutMs);
        checkTimeout(RETURN_PATH_TIMEOUT, returnPathTimeoutMs);
    }

    /** QEMU's first three parameters, no post-copy bandwidth limit and Godwit's default timeouts. */
    public Parameters(long downtimeLimitMs, long maxBandwidth, long availSwitchoverBandwidth) {
        this(downtimeLimitMs, maxBandwidth, availSwitchoverBandwidth, 0);
    }

    /** QEMU's four bandwidth and downtime parameters, with Godwit's default timeouts. */
    public Parameters(long downtimeLimitMs, long maxBandwidth, long availSwitchoverBandwidth,
            long maxPostcopyBandwidth) {
        this(downtimeLimitMs, maxBandwidth, availSwitchoverBandwidth, maxPostcopyBandwidth, DEFAULT_CONNECT_TIMEOUT_MS,
                DEFAULT_INCOMING_IDLE_TIMEOUT_MS, DEFAULT_INCOMING_READ_TIMEOUT_MS, DEFAULT_RETURN_PATH_TIMEOUT_MS);
    }

    private static void checkTimeout(String name, long ms) {
        if (ms < 0 || ms > MAX_TIMEOUT_MS) {
            throw new IllegalArgumentException(outOfRange(name));
        }
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
            case CONNECT_TIMEOUT, INCOMING_IDLE_TIMEOUT, INCOMING_READ_TIMEOUT, RETURN_PATH_TIMEOUT -> "Parameter '"
                    + name.replace('-', '_') + "' expects an integer in the range of 0 to " + MAX_TIMEOUT_MS
                    + " milliseconds";
            default -> throw new IllegalArgumentException("Parameter '" + name + "' is unexpected");
        };
    }

    public static Parameters defaults() {
        return new Parameters(DEFAULT_DOWNTIME_LIMIT_MS, DEFAULT_MAX_BANDWIDTH, 0);
    }

    public Parameters withDowntimeLimitMs(long v) {
        return with(DOWNTIME_LIMIT, v);
    }

    public Parameters withMaxBandwidth(long v) {
        return with(MAX_BANDWIDTH, v);
    }

    public Parameters withAvailSwitchoverBandwidth(long v) {
        return with(AVAIL_SWITCHOVER_BANDWIDTH, v);
    }

    public Parameters withMaxPostcopyBandwidth(long v) {
        return with(MAX_POSTCOPY_BANDWIDTH, v);
    }

    /** Sets one parameter by its QMP name. */
    public Parameters with(String name, long value) {
        long[] v = {downtimeLimitMs, maxBandwidth, availSwitchoverBandwidth, maxPostcopyBandwidth, connectTimeoutMs,
                incomingIdleTimeoutMs, incomingReadTimeoutMs, returnPathTimeoutMs};
        v[index(name)] = value;
        return new Parameters(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    }

    private static int index(String name) {
        return switch (name) {
            case DOWNTIME_LIMIT -> 0;
            case MAX_BANDWIDTH -> 1;
            case AVAIL_SWITCHOVER_BANDWIDTH -> 2;
            case MAX_POSTCOPY_BANDWIDTH -> 3;
            case CONNECT_TIMEOUT -> 4;
            case INCOMING_IDLE_TIMEOUT -> 5;
            case INCOMING_READ_TIMEOUT -> 6;
            case RETURN_PATH_TIMEOUT -> 7;
            default -> throw new IllegalArgumentException("Parameter '" + name + "' is unexpected");
        };
    }

    /** Every parameter by its QMP name, in query-migrate-parameters order. */
    public java.util.SequencedMap<String, Long> byName() {
        java.util.SequencedMap<String, Long> m = new java.util.LinkedHashMap<>();
        m.put(DOWNTIME_LIMIT, downtimeLimitMs);
        m.put(MAX_BANDWIDTH, maxBandwidth);
        m.put(AVAIL_SWITCHOVER_BANDWIDTH, availSwitchoverBandwidth);
        m.put(MAX_POSTCOPY_BANDWIDTH, maxPostcopyBandwidth);
        m.put(CONNECT_TIMEOUT, connectTimeoutMs);
        m.put(INCOMING_IDLE_TIMEOUT, incomingIdleTimeoutMs);
        m.put(INCOMING_READ_TIMEOUT, incomingReadTimeoutMs);
        m.put(RETURN_PATH_TIMEOUT, returnPathTimeoutMs);
        return m;
    }

    /** The QMP names of all parameters. */
    public static java.util.SequencedSet<String> names() {
        return java.util.Collections.unmodifiableSequencedSet(defaults().byName().sequencedKeySet());
    }
}

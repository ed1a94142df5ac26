package io.godwit.savevm;

import io.godwit.clock.Clock;
import io.godwit.options.Capabilities;
import io.godwit.stats.MigrationCounters;
import io.godwit.stream.StreamOutput;
import java.util.function.BooleanSupplier;

/**
 * What a handler may use while saving: the stream, the rate limit, the clock, the enabled
 * capabilities and the migration's counters. Used on the migration thread only.
 */
public final class SaveContext {
    private final StreamOutput out;
    private final Clock clock;
    private final Capabilities capabilities;
    private final MigrationCounters counters;
    private final BooleanSupplier rateExceeded;
    private boolean postcopy;

    public SaveContext(StreamOutput out, Clock clock, Capabilities capabilities, MigrationCounters counters,
            BooleanSupplier rateExceeded) {
        this.out = out;
        this.clock = clock;
        this.capabilities = capabilities;
        this.counters = counters;
        this.rateExceeded = rateExceeded;
    }

    public StreamOutput out() {
        return out;
    }

    public Clock clock() {
        return clock;
    }

    public Capabilities capabilities() {
        return capabilities;
    }

    public MigrationCounters counters() {
        return counters;
    }

    /** True once the migration has switched to post-copy: the destination runs, the source is stopped. */
    public boolean inPostcopy() {
        return postcopy;
    }

    /** Called by the migration at the switch to post-copy. */
    public void enterPostcopy() {
        postcopy = true;
    }

    /** True when this bandwidth window's byte budget is spent: stop sending and return. */
    public boolean rateLimitExceeded() {
        return rateExceeded.getAsBoolean();
    }
}

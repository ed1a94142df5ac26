package io.godwit.savevm;

import io.godwit.clock.VirtualClock;
import io.godwit.options.Capabilities;
import io.godwit.stats.MigrationCounters;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * A handler on the source side writing into memory on virtual time, for tests that check the
 * bytes each save phase writes. {@link #budget} is how many records (pages, chunks) a
 * saveLiveIterate may send before the rate limit says stop.
 */
public class HandlerSource<H extends SaveVmHandler> {
    public final H handler;
    public final VirtualClock clock = new VirtualClock();
    public final MigrationCounters counters = new MigrationCounters();
    public final SaveContext ctx;
    public int budget = Integer.MAX_VALUE;
    private final Bytes.Sink sink;
    private final StreamOutput out;
    private int taken;

    protected HandlerSource(H handler, Capabilities caps, Bytes.Sink sink) throws IOException {
        this.handler = handler;
        this.sink = sink;
        this.out = new StreamOutput(sink);
        this.ctx = new SaveContext(out, clock, caps, counters, () -> budget-- <= 0);
    }

    protected HandlerSource(H handler, Capabilities caps) throws IOException {
        this(handler, caps, Bytes.sink());
    }

    /** The bytes written since the last call. */
    public byte[] take() throws IOException {
        out.flush();
        byte[] all = sink.toByteArray();
        byte[] fresh = Arrays.copyOfRange(all, taken, all.length);
        taken = all.length;
        return fresh;
    }

    public byte[] setup() throws IOException {
        handler.saveSetup(ctx);
        return take();
    }

    /** One PART section's payload, within the current budget; the budget is unlimited after. */
    public byte[] iterate() throws IOException {
        handler.saveLiveIterate(ctx);
        budget = Integer.MAX_VALUE;
        return take();
    }

    /** One PART section's payload with at most {@code records} pages or chunks. */
    public byte[] iterate(int records) throws IOException {
        budget = records;
        return iterate();
    }

    public byte[] complete() throws IOException {
        handler.saveLiveCompletePrecopy(ctx);
        return take();
    }

    public byte[] state() throws IOException {
        handler.saveState(ctx);
        return take();
    }

    public Pending estimate(long thresholdSize) {
        Pending p = new Pending();
        handler.pendingEstimate(thresholdSize, p);
        return p;
    }

    public Pending exact(long thresholdSize) {
        Pending p = new Pending();
        handler.pendingExact(thresholdSize, p);
        return p;
    }
}

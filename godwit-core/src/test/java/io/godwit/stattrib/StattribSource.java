package io.godwit.stattrib;

import io.godwit.clock.VirtualClock;
import io.godwit.options.Capabilities;
import io.godwit.savevm.LoadContext;
import io.godwit.savevm.Pending;
import io.godwit.savevm.SaveContext;
import io.godwit.stats.MigrationCounters;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamInput;
import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.util.Arrays;

/** Storage-attribute migration on the source side, writing into memory, with a run budget per iteration. */
final class StattribSource {
    final StattribMigration handler;
    final SaveContext ctx;
    private final Bytes.Sink sink = Bytes.sink();
    private final StreamOutput out;
    private int taken;
    /** Runs each saveLiveIterate may send before the rate limit says stop. */
    int budget = Integer.MAX_VALUE;

    StattribSource(StorageAttributes attributes) throws IOException {
        handler = new StattribMigration(() -> attributes);
        out = new StreamOutput(sink);
        ctx = new SaveContext(out, new VirtualClock(), Capabilities.defaults(), new MigrationCounters(),
                () -> budget-- <= 0);
    }

    byte[] take() throws IOException {
        out.flush();
        byte[] all = sink.toByteArray();
        byte[] fresh = Arrays.copyOfRange(all, taken, all.length);
        taken = all.length;
        return fresh;
    }

    byte[] setup() throws IOException {
        handler.saveSetup(ctx);
        return take();
    }

    /** One PART section's payload with at most {@code runs} MORE records. */
    byte[] iterate(int runs) throws IOException {
        budget = runs;
        handler.saveLiveIterate(ctx);
        budget = Integer.MAX_VALUE;
        return take();
    }

    byte[] complete() throws IOException {
        handler.saveLiveCompletePrecopy(ctx);
        return take();
    }

    long pendingExact() {
        Pending p = new Pending();
        handler.pendingExact(0, p);
        return p.mustPrecopy();
    }

    /** Loads one section's payload into {@code into}; it must be read to its end. */
    static void load(StorageAttributes into, byte[] payload) throws IOException {
        StreamInput in = Bytes.chopped(payload, payload.length);
        new StattribMigration(() -> into).loadState(new LoadContext(in, Capabilities.defaults(), () -> {}),
                StattribMigration.VERSION);
        if (in.hasMore()) {
            throw new AssertionError("section payload not read to its end: stopped at " + in.position());
        }
    }
}

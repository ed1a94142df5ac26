package io.godwit.examples.kv;

import io.godwit.savevm.LoadContext;
import io.godwit.savevm.SaveContext;
import io.godwit.savevm.SaveVmHandler;
import io.godwit.stream.StreamFormatException;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The service's state that is not in the region: its request counters, on the heap. It is saved
 * once, at the switchover, in a FULL section ("kv-service/meta", version 1), with the table's
 * geometry so a destination with another table refuses the state instead of misreading it.
 */
final class KvMetaHandler implements SaveVmHandler {
    static final String IDSTR = "kv-service/meta";
    static final int VERSION = 1;

    private final int buckets;
    final AtomicLong puts = new AtomicLong();
    final AtomicLong gets = new AtomicLong();

    KvMetaHandler(int buckets) {
        this.buckets = buckets;
    }

    @Override
    public boolean isLive() {
        return false;
    }

    @Override
    public void saveState(SaveContext ctx) throws IOException {
        ctx.out().putBe64(buckets);
        ctx.out().putBe64(puts.get());
        ctx.out().putBe64(gets.get());
    }

    @Override
    public void loadState(LoadContext ctx, int versionId) throws IOException {
        long at = ctx.in().position();
        if (versionId != VERSION) {
            throw new StreamFormatException(IDSTR + " version " + versionId + "; expected " + VERSION, at);
        }
        long theirs = ctx.in().getBe64();
        if (theirs != buckets) {
            throw new StreamFormatException(IDSTR + ": the source's table has " + theirs + " buckets; expected "
                    + buckets + " as here", at);
        }
        long p = ctx.in().getBe64();
        long g = ctx.in().getBe64();
        if (p < 0 || g < 0) {
            throw new StreamFormatException(IDSTR + ": negative request counts " + p + ", " + g, at);
        }
        puts.set(p);
        gets.set(g);
    }
}

package io.godwit.api;

import io.godwit.savevm.LoadContext;
import io.godwit.savevm.SaveContext;
import io.godwit.savevm.SaveVmHandler;
import java.io.IOException;

/** State kept outside any region: one long, saved once at switchover (a FULL section). */
final class CounterHandler implements SaveVmHandler {
    volatile long value;
    private final boolean refuseLoad;

    CounterHandler(long value, boolean refuseLoad) {
        this.value = value;
        this.refuseLoad = refuseLoad;
    }

    @Override
    public boolean isLive() {
        return false;
    }

    @Override
    public void saveState(SaveContext ctx) throws IOException {
        ctx.out().putBe64(value);
    }

    @Override
    public void loadState(LoadContext ctx, int versionId) throws IOException {
        long v = ctx.in().getBe64();
        if (refuseLoad) {
            throw new IOException("counter: this destination refuses the state (" + v + ")");
        }
        value = v;
    }
}

package io.godwit.savevm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A handler whose every section payload is one be32; records what the loader asked of it. */
final class FakeHandler implements SaveVmHandler {
    final List<String> calls = new ArrayList<>();
    RuntimeException failWith;

    @Override
    public void loadSetup(LoadContext ctx) {
        calls.add("setup");
    }

    @Override
    public void loadState(LoadContext ctx, int versionId) throws IOException {
        int value = ctx.in().getBe32();
        calls.add("load v" + versionId + " " + value);
        if (failWith != null) {
            throw failWith;
        }
    }

    @Override
    public void loadCleanup() {
        calls.add("cleanup");
    }
}

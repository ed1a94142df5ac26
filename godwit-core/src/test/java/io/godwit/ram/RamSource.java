package io.godwit.ram;

import io.godwit.clock.VirtualClock;
import io.godwit.options.Capabilities;
import io.godwit.savevm.SaveContext;
import io.godwit.stats.MigrationCounters;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/** A RamHandler on the source side, writing into memory, with a page budget per iteration. */
final class RamSource {
    final RamHandler handler;
    final MigrationCounters counters = new MigrationCounters();
    final SaveContext ctx;
    private final Bytes.Sink sink = Bytes.sink();
    private final StreamOutput out;
    private int taken;
    /** Pages each saveLiveIterate may send before the rate limit says stop. */
    int budget = Integer.MAX_VALUE;

    RamSource(RamBlock... blocks) throws IOException {
        List<RamBlock> list = List.of(blocks);
        handler = new RamHandler(() -> list);
        out = new StreamOutput(sink);
        ctx = new SaveContext(out, new VirtualClock(), Capabilities.defaults(), counters, () -> budget-- <= 0);
    }

    /** The bytes written since the last call. */
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

    /** One PART section's payload with at most {@code pages} pages. */
    byte[] iterate(int pages) throws IOException {
        budget = pages;
        handler.saveLiveIterate(ctx);
        budget = Integer.MAX_VALUE;
        return take();
    }
}

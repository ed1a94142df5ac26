package io.godwit.block;

import io.godwit.clock.VirtualClock;
import io.godwit.options.Capabilities;
import io.godwit.savevm.Pending;
import io.godwit.savevm.SaveContext;
import io.godwit.stats.MigrationCounters;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/** Block migration on the source side, writing into memory, with a chunk budget per iteration. */
final class BlockSource {
    final BlockMigration handler;
    final MigrationCounters counters = new MigrationCounters();
    final SaveContext ctx;
    private final Bytes.Sink sink = Bytes.sink(64 << 10);
    private final StreamOutput out;
    private int taken;
    /** Chunks each saveLiveIterate may send before the rate limit says stop. */
    int budget = Integer.MAX_VALUE;

    BlockSource(Capabilities caps, BlockDevice... disks) throws IOException {
        List<BlockDevice> list = List.of(disks);
        handler = new BlockMigration(() -> list);
        out = new StreamOutput(sink);
        ctx = new SaveContext(out, new VirtualClock(), caps, counters, () -> budget-- <= 0);
        handler.savePrepare(ctx);
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

    /** One PART section's payload with at most {@code chunks} chunks. */
    byte[] iterate(int chunks) throws IOException {
        budget = chunks;
        handler.saveLiveIterate(ctx);
        budget = Integer.MAX_VALUE;
        return take();
    }

    /** Iterates until the handler says everything is sent; the payloads, one per section. */
    List<byte[]> iterateToEnd() throws IOException {
        List<byte[]> sections = new java.util.ArrayList<>();
        boolean done;
        do {
            budget = Integer.MAX_VALUE;
            done = handler.saveLiveIterate(ctx);
            sections.add(take());
        } while (!done);
        return sections;
    }

    byte[] complete() throws IOException {
        handler.saveLiveCompletePrecopy(ctx);
        return take();
    }

    long pending(long thresholdSize) {
        Pending p = new Pending();
        handler.pendingEstimate(thresholdSize, p);
        return p.mustPrecopy();
    }
}

package io.godwit.block;

import io.godwit.options.Capabilities;
import io.godwit.savevm.HandlerSource;
import io.godwit.stream.Bytes;
import java.io.IOException;
import java.util.List;

/** Block migration on the source side, writing into memory, with a chunk budget per iteration. */
final class BlockSource extends HandlerSource<BlockMigration> {
    BlockSource(Capabilities caps, BlockDevice... disks) throws IOException {
        super(handlerOf(disks), caps, Bytes.sink(64 << 10));
        handler.savePrepare(ctx);
    }

    private static BlockMigration handlerOf(BlockDevice... disks) {
        List<BlockDevice> list = List.of(disks);
        return new BlockMigration(() -> list);
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

    long pending(long thresholdSize) {
        return estimate(thresholdSize).mustPrecopy();
    }
}

package io.godwit.bitmap;

import io.godwit.block.BlockDevice;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.savevm.HandlerSource;
import io.godwit.savevm.LoadContext;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.util.List;

/** Dirty-bitmap migration on the source side writing into memory, and a destination to load into. */
final class BitmapSource extends HandlerSource<BitmapMigration> {
    BitmapSource(Capabilities caps, BlockDevice... disks) throws IOException {
        super(handlerOf(disks), caps);
        handler.savePrepare(ctx);
    }

    BitmapSource(BlockDevice... disks) throws IOException {
        this(Capabilities.of(Capability.DIRTY_BITMAPS), disks);
    }

    private static BitmapMigration handlerOf(BlockDevice... disks) {
        List<BlockDevice> list = List.of(disks);
        return new BitmapMigration(() -> list);
    }

    /** A destination handler over {@code disks}, set up for loading. */
    static BitmapMigration destination(BlockDevice... disks) throws IOException {
        List<BlockDevice> list = List.of(disks);
        BitmapMigration dest = new BitmapMigration(() -> list);
        dest.loadSetup(new LoadContext(Bytes.input(new byte[0]), Capabilities.defaults(), () -> {}));
        return dest;
    }

    /** Loads one section's payload; it must be read to its end. */
    static void load(BitmapMigration dest, byte[] payload) throws IOException {
        StreamInput in = Bytes.chopped(payload, payload.length);
        dest.loadState(new LoadContext(in, Capabilities.defaults(), () -> {}), BitmapMigration.VERSION);
        if (in.hasMore()) {
            throw new AssertionError("section payload not read to its end: stopped at " + in.position());
        }
    }
}

package io.godwit.bitmap;

import io.godwit.block.BlockDevice;
import io.godwit.clock.VirtualClock;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.savevm.LoadContext;
import io.godwit.savevm.SaveContext;
import io.godwit.stats.MigrationCounters;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamInput;
import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/** Dirty-bitmap migration on the source side writing into memory, and a destination to load into. */
final class BitmapSource {
    final BitmapMigration handler;
    final SaveContext ctx;
    private final Bytes.Sink sink = Bytes.sink();
    private final StreamOutput out;
    private int taken;

    BitmapSource(Capabilities caps, BlockDevice... disks) throws IOException {
        List<BlockDevice> list = List.of(disks);
        handler = new BitmapMigration(() -> list);
        out = new StreamOutput(sink);
        ctx = new SaveContext(out, new VirtualClock(), caps, new MigrationCounters(), () -> false);
        handler.savePrepare(ctx);
    }

    BitmapSource(BlockDevice... disks) throws IOException {
        this(Capabilities.of(Capability.DIRTY_BITMAPS), disks);
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

    byte[] iterate() throws IOException {
        handler.saveLiveIterate(ctx);
        return take();
    }

    byte[] complete() throws IOException {
        handler.saveLiveCompletePrecopy(ctx);
        return take();
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

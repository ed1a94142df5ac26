package io.godwit.block;

import io.godwit.options.Capability;
import io.godwit.savevm.LoadContext;
import io.godwit.savevm.SaveContext;
import io.godwit.savevm.SaveVmHandler;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;

/**
 * Godwit's "godwit/disks" section, sent with block migration and before it: the source's disks
 * and their sizes, so a destination refuses a disk it lacks or one of another size before any
 * chunk is written. QEMU's block section carries no sizes; a QEMU destination would refuse this
 * section, so it is only sent when block migration is on. {@link DiskList} has the record layout,
 * and reads it for the destination here.
 */
public final class DiskSizes implements SaveVmHandler {
    public static final String IDSTR = "godwit/disks";
    public static final int VERSION = 1;
    /** Saved before "block". */
    public static final int PRIORITY = 1;
    /** Record kinds: the disk list (at setup), or nothing (at the end). */
    public static final int LIST = 1;
    public static final int NONE = 0;

    private final Supplier<List<BlockDevice>> disks;
    private volatile boolean enabled;

    public DiskSizes(Supplier<List<BlockDevice>> disks) {
        this.disks = disks;
    }

    @Override
    public void savePrepare(SaveContext ctx) {
        enabled = ctx.capabilities().has(Capability.BLOCK);
    }

    @Override
    public boolean isActive() {
        return enabled && !disks.get().isEmpty();
    }

    @Override
    public boolean isActiveIterate() {
        return false;
    }

    @Override
    public void saveSetup(SaveContext ctx) throws IOException {
        StreamOutput out = ctx.out();
        List<BlockDevice> all = disks.get();
        out.put8(LIST);
        out.putBe32(all.size());
        for (BlockDevice d : all) {
            out.putString8(d.name());
            out.putBe64(d.size());
        }
    }

    @Override
    public void saveLiveCompletePrecopy(SaveContext ctx) throws IOException {
        ctx.out().put8(NONE);
    }

    @Override
    public void loadState(LoadContext ctx, int versionId) throws IOException {
        for (DiskList.Entry e : DiskList.read(ctx.in()).disks()) {
            BlockDevice here = null;
            for (BlockDevice d : disks.get()) {
                if (d.name().equals(e.name())) {
                    here = d;
                }
            }
            if (here == null) {
                throw new StreamFormatException("unknown disk '" + e.name() + "' (" + e.size() + " bytes) on the "
                        + "source: expected a disk of that name here", e.at());
            }
            if (here.size() != e.size()) {
                throw new StreamFormatException("disk '" + e.name() + "' has " + e.size() + " bytes on the source; "
                        + "expected " + here.size() + " as here (" + here.path() + ")", e.at());
            }
        }
    }
}

package io.godwit.monitor;

import io.godwit.block.BlockDevice;
import io.godwit.block.BlockDirtyBitmap;
import io.godwit.machine.Machine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The block commands: dirty bitmaps on a disk node (block-dirty-bitmap-*), query-block and
 * x-disk-write, with QEMU's messages for a node or bitmap that is not there.
 */
final class DiskCommands {
    private final Machine machine;

    DiskCommands(Machine machine) {
        this.machine = machine;
    }

    private BlockDevice node(String node) {
        BlockDevice d = machine.disk(node);
        if (d == null) {
            throw new MonitorException("DeviceNotFound", "Cannot find device='" + node + "' nor node-name='" + node + "'");
        }
        return d;
    }

    private BlockDirtyBitmap bitmap(String node, String name) {
        BlockDirtyBitmap b = node(node).bitmap(name);
        if (b == null) {
            throw new MonitorException("Dirty bitmap '" + name + "' not found");
        }
        return b;
    }

    /** Granularity 0 means QEMU's default for a raw image, 64 KiB. */
    void addBitmap(String node, String name, int granularity, boolean persistent, boolean disabled) {
        try {
            node(node).addBitmap(name, granularity == 0 ? 65536 : granularity, !disabled, persistent);
        } catch (IllegalArgumentException e) {
            throw new MonitorException(e.getMessage());
        }
    }

    void removeBitmap(String node, String name) {
        bitmap(node, name);
        node(node).removeBitmap(name);
    }

    void clearBitmap(String node, String name) {
        bitmap(node, name).clear();
    }

    void enableBitmap(String node, String name, boolean on) {
        bitmap(node, name).setEnabled(on);
    }

    String bitmapSha256(String node, String name) {
        return bitmap(node, name).sha256();
    }

    List<BlockDevice> disks() {
        return machine.disks();
    }

    void diskWrite(String node, long offset, long length, long seed) throws IOException {
        BlockDevice d = node(node);
        if (offset < 0 || length <= 0 || offset + length > d.size()) {
            throw new MonitorException("x-disk-write of " + length + " bytes at " + offset + " outside disk '" + node
                    + "' of " + d.size() + " bytes");
        }
        SplittableRandom r = new SplittableRandom(seed);
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(length, 1 << 20));
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(buf.capacity(), length - done);
            buf.clear().limit(n);
            r.nextBytes(buf.array());
            d.write(offset + done, buf);
            done += n;
        }
    }
}

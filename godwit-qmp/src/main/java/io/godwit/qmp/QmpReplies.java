package io.godwit.qmp;

import io.godwit.block.BlockDevice;
import io.godwit.block.BlockDirtyBitmap;
import io.godwit.machine.AbCheck;
import io.godwit.machine.MachineDigest;
import io.godwit.machine.RunState;
import io.godwit.monitor.Monitor;
import io.godwit.transport.MigrationUri;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Shapes what the {@link Monitor} returns into QMP replies, with QEMU's keys. The monitor answers
 * with typed values; only this class knows how QMP spells them.
 */
public final class QmpReplies {
    private QmpReplies() {}

    /** query-migrate, with the address listened on while a destination waits. */
    static Map<String, Object> queryMigrate(Monitor monitor) {
        Map<String, Object> r = MigrationReplies.of(monitor.queryMigrate());
        io.godwit.migration.Migration out = monitor.outgoing();
        if (out != null && !r.get("status").equals("none")) {
            r.put(MigrationReplies.SWITCHOVER_COST, MigrationReplies.switchCost(out.switchCost()));
        }
        String listen = monitor.listenAddress();
        if (listen != null) {
            r.put("socket-address", List.of(socketAddress(listen)));
        }
        return r;
    }

    static Map<String, Object> socketAddress(String address) {
        MigrationUri u = MigrationUri.parse(address);
        Map<String, Object> a = new LinkedHashMap<>();
        switch (u.scheme()) {
            case TCP -> {
                a.put("type", "inet");
                a.put("host", u.host());
                a.put("port", String.valueOf(u.port()));
            }
            case UNIX -> {
                a.put("type", "unix");
                a.put("path", u.path().toString());
            }
            default -> {
                a.put("type", u.scheme().name().toLowerCase(Locale.ROOT));
                a.put("uri", address);
            }
        }
        return a;
    }

    static Map<String, Object> status(RunState s) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("running", s.running());
        r.put("singlestep", false);
        r.put("status", s.qmpName);
        return r;
    }

    static Map<String, Object> digest(MachineDigest.Digest d, RunState s) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("digest", d.overall());
        r.put("blocks", d.blocks());
        if (!d.devices().isEmpty()) {
            r.put("devices", d.devices());
        }
        if (!d.disks().isEmpty()) {
            r.put("disks", d.disks());
        }
        if (!d.bitmaps().isEmpty()) {
            r.put("dirty-bitmaps", d.bitmaps());
        }
        if (d.storageAttributes() != null) {
            r.put("storage-attributes", d.storageAttributes());
        }
        r.put("status", s.qmpName);
        return r;
    }

    static Map<String, Object> ab(AbCheck.Result a, RunState s) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("passed", a.passed());
        r.put("pages", a.pages());
        r.put("bad-pages", a.badPages());
        r.put("first-bad", a.badOffsets());
        r.put("value", a.value());
        r.put("last-value", a.lastValue());
        r.put("status", s.qmpName);
        return r;
    }

    static Map<String, Object> unused(Monitor.UnusedPages u) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("unused-pages", u.unused());
        r.put("non-zero-unused-pages", u.nonZero());
        return r;
    }

    /** query-block: QEMU's BlockInfo for each disk (a raw image), with its dirty bitmaps. */
    static List<Map<String, Object>> queryBlock(List<BlockDevice> disks) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (BlockDevice d : disks) {
            Map<String, Object> image = new LinkedHashMap<>();
            image.put("virtual-size", d.size());
            image.put("filename", d.path().toString());
            image.put("format", "raw");
            Map<String, Object> inserted = new LinkedHashMap<>();
            inserted.put("file", d.path().toString());
            inserted.put("drv", "raw");
            inserted.put("image", image);
            inserted.put("dirty-bitmaps", bitmaps(d));
            Map<String, Object> dev = new LinkedHashMap<>();
            dev.put("device", d.name());
            dev.put("locked", false);
            dev.put("removable", false);
            dev.put("inserted", inserted);
            out.add(dev);
        }
        return out;
    }

    private static List<Map<String, Object>> bitmaps(BlockDevice d) {
        List<Map<String, Object>> bitmaps = new ArrayList<>();
        for (BlockDirtyBitmap b : d.bitmaps()) {
            Map<String, Object> bm = new LinkedHashMap<>();
            bm.put("name", b.name());
            bm.put("count", b.count() * b.granularity());
            bm.put("granularity", b.granularity());
            bm.put("recording", b.enabled());
            bm.put("persistent", b.persistent());
            bm.put("busy", false);
            bitmaps.add(bm);
        }
        return bitmaps;
    }
}

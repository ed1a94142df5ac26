package io.godwit.inspect;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.Map;

/**
 * Renders what the disk, dirty-bitmap, storage-attribute and VFIO-style device sections held,
 * as text and as JSON, so the two renderings of these smaller parts stay side by side.
 */
final class OtherSections {
    private OtherSections() {}

    static void json(InspectReport r, ObjectNode root) {
        ArrayNode disks = root.putArray("disks");
        Map<String, Long> sizes = r.diskList == null ? Map.of() : r.diskList.sizes();
        if (r.block != null) {
            for (BlockReader.Disk d : r.block.disks()) {
                disks.addObject().put("name", d.name()).put("size", sizes.get(d.name())).put("chunks", d.chunks())
                        .put("zero-chunks", d.zeroChunks());
            }
        }
        for (Map.Entry<String, Long> e : sizes.entrySet()) {
            if (r.block == null || !hasDisk(r.block, e.getKey())) {
                disks.addObject().put("name", e.getKey()).put("size", e.getValue()).put("chunks", 0).put("zero-chunks", 0);
            }
        }
        root.put("block-progress", r.block == null || r.block.progress() < 0 ? null : r.block.progress());
        ArrayNode bitmaps = root.putArray("dirty-bitmaps");
        if (r.bitmaps != null) {
            for (BitmapReader.Bitmap b : r.bitmaps.bitmaps()) {
                bitmaps.addObject().put("disk", b.disk).put("name", b.name)
                        .put("granularity", b.granularity < 0 ? null : b.granularity).put("enabled", b.enabled)
                        .put("persistent", b.persistent).put("chunks", b.chunks).put("zero-chunks", b.zeroChunks)
                        .put("complete", b.complete);
            }
        }
        if (r.stattrib == null) {
            root.putNull("storage-attributes");
        } else {
            root.putObject("storage-attributes").put("runs", r.stattrib.runs()).put("pages", r.stattrib.pages())
                    .put("done", r.stattrib.done());
        }
        ArrayNode vfio = root.putArray("vfio");
        for (VfioReader v : r.vfio.values()) {
            vfio.addObject().put("idstr", v.idstr()).put("data-records", v.dataRecords()).put("data-bytes", v.dataBytes())
                    .put("init-data-sent", v.initDataSent()).put("config", v.config());
        }
    }

    private static boolean hasDisk(BlockReader block, String name) {
        for (BlockReader.Disk d : block.disks()) {
            if (d.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    static void text(InspectReport r, PrintStream out) {
        Map<String, Long> sizes = r.diskList == null ? Map.of() : r.diskList.sizes();
        if (r.block != null || !sizes.isEmpty()) {
            out.println();
            out.printf("disks%s%n", r.block != null && r.block.progress() >= 0
                    ? " (bulk progress " + r.block.progress() + "%)" : "");
            out.printf("  %-24s %14s %10s %10s%n", "name", "size", "chunks", "zero");
            if (r.block != null) {
                for (BlockReader.Disk d : r.block.disks()) {
                    Long size = sizes.get(d.name());
                    out.printf("  %-24s %14s %10d %10d%n", d.name(), size == null ? "-" : size, d.chunks(),
                            d.zeroChunks());
                }
            }
            for (Map.Entry<String, Long> e : sizes.entrySet()) {
                if (r.block == null || !hasDisk(r.block, e.getKey())) {
                    out.printf("  %-24s %14d %10d %10d%n", e.getKey(), e.getValue(), 0, 0);
                }
            }
        }
        if (r.bitmaps != null) {
            out.println();
            out.println("dirty bitmaps");
            for (BitmapReader.Bitmap b : r.bitmaps.bitmaps()) {
                out.printf("  %s/%s granularity %d%s%s: %d chunks, %d zero chunks%s%n", b.disk, b.name, b.granularity,
                        b.enabled ? " enabled" : "", b.persistent ? " persistent" : "", b.chunks, b.zeroChunks,
                        b.complete ? ", complete" : "");
            }
        }
        if (r.stattrib != null) {
            out.println();
            out.printf("storage attributes: %d pages in %d runs%s%n", r.stattrib.pages(), r.stattrib.runs(),
                    r.stattrib.done() ? ", done" : "");
        }
        if (!r.vfio.isEmpty()) {
            out.println();
            out.println("vfio devices");
            for (VfioReader v : r.vfio.values()) {
                out.printf("  %s: %d data records, %d bytes%s%s%n", v.idstr(), v.dataRecords(), v.dataBytes(),
                        v.initDataSent() ? ", initial data sent" : "", v.config() == null ? "" : ", config " + v.config());
            }
        }
    }
}

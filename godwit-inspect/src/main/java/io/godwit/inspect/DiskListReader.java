package io.godwit.inspect;

import io.godwit.block.DiskList;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Godwit's "godwit/disks" section, read with the engine's {@link DiskList}: the source's disks and sizes. */
final class DiskListReader implements SectionReader {
    private final Map<String, Long> sizes = new LinkedHashMap<>();

    @Override
    public void read(StreamInput in, int version) throws IOException {
        DiskList.checkVersion(version, in.position());
        for (DiskList.Entry e : DiskList.read(in).disks()) {
            sizes.put(e.name(), e.size());
        }
    }

    /** Disk name to size in bytes, as the source listed them. */
    Map<String, Long> sizes() {
        return sizes;
    }
}

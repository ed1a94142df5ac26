package io.godwit.inspect;

import static io.godwit.block.DiskSizes.*;

import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Godwit's "godwit/disks" section: the source's disks and their sizes (LIST), or nothing (NONE). */
final class DiskListReader implements SectionReader {
    private static final int MAX_DISKS = 4096;

    private final Map<String, Long> sizes = new LinkedHashMap<>();

    @Override
    public void read(StreamInput in, int version) throws IOException {
        long at = in.position();
        if (version != VERSION) {
            throw new StreamFormatException("godwit/disks section version " + version + "; expected " + VERSION, at);
        }
        int kind = in.get8();
        if (kind == NONE) {
            return;
        }
        if (kind != LIST) {
            throw new StreamFormatException("godwit/disks record " + kind + "; expected 0 (none) or 1 (list)", at);
        }
        int n = in.getBe32();
        if (n < 0 || n > MAX_DISKS) {
            throw new StreamFormatException("godwit/disks lists " + Integer.toUnsignedString(n) + " disks; expected at "
                    + "most " + MAX_DISKS, at);
        }
        for (int i = 0; i < n; i++) {
            String name = in.getString8();
            sizes.put(name, in.getBe64());
        }
    }

    /** Disk name to size in bytes, as the source listed them. */
    Map<String, Long> sizes() {
        return sizes;
    }
}

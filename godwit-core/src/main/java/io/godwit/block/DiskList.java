package io.godwit.block;

import static io.godwit.block.DiskSizes.*;

import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one record of a "godwit/disks" section ({@link DiskSizes}), read and verified by
 * {@link #read}: the destination's loader and {@code godwit inspect} both read it here.
 *
 * <pre>
 * LIST    u8 1, be32 count (at most 4096), then per disk u8 length + name and be64 size in bytes
 * NONE    u8 0
 * </pre>
 *
 * @param at offset of the record's kind byte
 * @param listed LIST (at setup) rather than NONE (at the end)
 * @param disks the listed disks in the source's order; empty for NONE
 */
public record DiskList(long at, boolean listed, List<Entry> disks) {
    /** Most disks a list may name. */
    public static final int MAX_DISKS = 4096;

    /** One listed disk; {@code at} is the offset of its name. */
    public record Entry(long at, String name, long size) {}

    public DiskList {
        disks = List.copyOf(disks);
    }

    /** Refuses a section of another version than the one this reader knows. */
    public static void checkVersion(int version, long at) throws StreamFormatException {
        if (version != VERSION) {
            throw new StreamFormatException("godwit/disks section version " + version + "; expected " + VERSION, at);
        }
    }

    public static DiskList read(StreamInput in) throws IOException {
        long at = in.position();
        int kind = in.get8();
        if (kind == NONE) {
            return new DiskList(at, false, List.of());
        }
        if (kind != LIST) {
            throw new StreamFormatException("godwit/disks record " + kind + "; expected 0 or 1", at);
        }
        int n = in.getBe32();
        if (n < 0 || n > MAX_DISKS) {
            throw new StreamFormatException("godwit/disks lists " + n + " disks; expected at most " + MAX_DISKS, at);
        }
        List<Entry> disks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long diskAt = in.position();
            disks.add(new Entry(diskAt, in.getString8(), in.getBe64()));
        }
        return new DiskList(at, true, disks);
    }
}

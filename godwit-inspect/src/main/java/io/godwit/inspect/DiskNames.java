package io.godwit.inspect;

import io.godwit.stream.NamedTargets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Disks as inspect knows them: by name, any name, with the size the stream's "godwit/disks" list
 * gave (a QEMU stream has none, and then offsets are not checked against a size).
 */
final class DiskNames implements NamedTargets<String> {
    private final Supplier<Map<String, Long>> sizes;

    DiskNames(Supplier<Map<String, Long>> sizes) {
        this.sizes = sizes;
    }

    @Override
    public String named(String name, long at) {
        return name;
    }

    @Override
    public String name(String disk) {
        return disk;
    }

    @Override
    public long size(String disk) {
        return sizes.get().getOrDefault(disk, -1L);
    }
}

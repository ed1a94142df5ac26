package io.godwit.inspect;

import io.godwit.block.BlockDevice;
import io.godwit.block.BlockRecord;
import io.godwit.block.BlockRecordReader;
import io.godwit.stream.NamedTargets;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The "block" sections (QEMU migration/block.c), read with the engine's
 * {@link BlockRecordReader}: chunks per disk, and the bulk phase's last percentage.
 */
final class BlockReader implements SectionReader {
    /** Chunks per disk, in the order the disks first appeared. */
    record Disk(String name, long chunks, long zeroChunks) {}

    private final Map<String, long[]> disks = new LinkedHashMap<>();
    private final BlockRecordReader<String> reader;
    private int progress = -1;

    BlockReader(NamedTargets<String> names) {
        reader = new BlockRecordReader<>(names);
    }

    @Override
    public void read(StreamInput in, int version) throws IOException {
        BlockRecordReader.checkVersion(version, in.position());
        while (true) {
            BlockRecord<String> r = reader.next(in);
            switch (r) {
                case BlockRecord.Chunk<String> c -> {
                    long[] counts = disks.computeIfAbsent(c.disk(), n -> new long[2]);
                    if (c.zero()) {
                        counts[1]++;
                    } else {
                        counts[0]++;
                        in.skip(BlockDevice.CHUNK);
                    }
                }
                case BlockRecord.Progress<String> p -> progress = p.percent();
                case BlockRecord.Eos<String> e -> { }
            }
            if (r.last()) {
                return;
            }
        }
    }

    Iterable<Disk> disks() {
        return disks.entrySet().stream().map(e -> new Disk(e.getKey(), e.getValue()[0], e.getValue()[1])).toList();
    }

    /** The last bulk-phase percentage the source sent, or -1. */
    int progress() {
        return progress;
    }
}

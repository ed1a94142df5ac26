package io.godwit.inspect;

import io.godwit.bitmap.BitmapRecord;
import io.godwit.bitmap.BitmapRecordReader;
import io.godwit.stream.NamedTargets;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The "dirty-bitmap" sections (QEMU migration/block-dirty-bitmap.c), read with the engine's
 * {@link BitmapRecordReader}: what each bitmap's START said, and its chunks.
 */
final class BitmapReader implements SectionReader {
    /** What the stream says about one bitmap. */
    static final class Bitmap {
        final String disk;
        final String name;
        long granularity = -1;
        boolean enabled;
        boolean persistent;
        long chunks;
        long zeroChunks;
        boolean complete;

        Bitmap(String disk, String name) {
            this.disk = disk;
            this.name = name;
        }
    }

    private final Map<String, Bitmap> bitmaps = new LinkedHashMap<>();
    private final BitmapRecordReader<String> reader;

    BitmapReader(NamedTargets<String> disks) {
        reader = new BitmapRecordReader<>(disks);
    }

    @Override
    public void read(StreamInput in, int version) throws IOException {
        BitmapRecordReader.checkVersion(version, in.position());
        while (true) {
            BitmapRecord<String> r = reader.next(in);
            switch (r) {
                case BitmapRecord.Start<String> s -> {
                    Bitmap b = bitmap(s.disk(), s.bitmap());
                    b.granularity = s.granularity();
                    b.enabled = s.enabled();
                    b.persistent = s.persistent();
                }
                case BitmapRecord.Bits<String> s -> {
                    in.skip(s.dataBytes());
                    if (s.zeroes()) {
                        bitmap(s.disk(), s.bitmap()).zeroChunks++;
                    } else {
                        bitmap(s.disk(), s.bitmap()).chunks++;
                    }
                }
                case BitmapRecord.Complete<String> s -> bitmap(s.disk(), s.bitmap()).complete = true;
                case BitmapRecord.Eos<String> s -> { }
            }
            if (r.last()) {
                return;
            }
        }
    }

    private Bitmap bitmap(String disk, String name) {
        return bitmaps.computeIfAbsent(disk + "\0" + name, k -> new Bitmap(disk, name));
    }

    List<Bitmap> bitmaps() {
        return new ArrayList<>(bitmaps.values());
    }
}

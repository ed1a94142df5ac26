package io.godwit.inspect;

import io.godwit.stattrib.StattribRecord;
import io.godwit.stattrib.StattribRecordReader;
import io.godwit.stream.StreamInput;
import java.io.IOException;

/**
 * The "s390-storage_attributes" sections (QEMU hw/s390x/s390-stattrib.c), read with the engine's
 * {@link StattribRecordReader}: how many runs and pages were sent, and whether DONE came.
 */
final class StattribReader implements SectionReader {
    private final StattribRecordReader reader = new StattribRecordReader(-1); // the machine's size is not on the wire
    private long runs;
    private long pages;
    private boolean done;

    @Override
    public void read(StreamInput in, int version) throws IOException {
        StattribRecordReader.checkVersion(version, in.position());
        StattribRecord r;
        do {
            r = reader.next(in);
            switch (r) {
                case StattribRecord.Run run -> {
                    runs++;
                    pages += run.states().length;
                }
                case StattribRecord.Done d -> done = true;
                case StattribRecord.Eos e -> { }
            }
        } while (!r.last());
    }

    long runs() {
        return runs;
    }

    long pages() {
        return pages;
    }

    boolean done() {
        return done;
    }
}

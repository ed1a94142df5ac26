package io.godwit.inspect;

import static io.godwit.stattrib.StattribMigration.*;

import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import java.io.IOException;

/**
 * The "s390-storage_attributes" section (QEMU hw/s390x/s390-stattrib.c, version 0): MORE records
 * (be64 first page << 12 | MORE, be64 count, a byte per page), DONE, EOS; ERROR means the source
 * could not read its attributes.
 */
final class StattribReader implements SectionReader {
    /** Longest run read; QEMU's runs are far shorter. */
    private static final long MAX_COUNT = 1L << 30;

    private long runs;
    private long pages;
    private boolean done;

    @Override
    public void read(StreamInput in, int version) throws IOException {
        if (version != VERSION) {
            throw new StreamFormatException("storage attributes section version " + version + "; expected " + VERSION,
                    in.position());
        }
        while (true) {
            long at = in.position();
            long flags = in.getBe64() & ((1L << PAGE_BITS) - 1);
            if (flags == FLAG_MORE) {
                long count = in.getBe64();
                if (count < 0 || count > MAX_COUNT) {
                    throw new StreamFormatException("storage attribute run of " + Long.toUnsignedString(count)
                            + " pages; expected at most " + MAX_COUNT, at);
                }
                in.skip(count);
                runs++;
                pages += count;
            } else if (flags == FLAG_DONE) {
                done = true;
            } else if (flags == FLAG_EOS) {
                return;
            } else if (flags == FLAG_ERROR) {
                throw new StreamFormatException("storage attributes ERROR record: the source could not read them", at);
            } else {
                throw new StreamFormatException(String.format("storage attribute flags 0x%x; expected MORE, DONE, EOS "
                        + "or ERROR", flags), at);
            }
        }
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

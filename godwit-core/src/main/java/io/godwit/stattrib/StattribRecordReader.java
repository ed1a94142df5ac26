package io.godwit.stattrib;

import static io.godwit.stattrib.StattribMigration.*;

import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import java.io.IOException;

/**
 * Reads the records of "s390-storage_attributes" sections (QEMU hw/s390x/s390-stattrib.c,
 * version 0) one at a time, and verifies each before returning it: the destination's loader and
 * {@code godwit inspect} both read them here.
 *
 * <pre>
 * record    be64 word [count states]
 * word      bits 63..12: the first page (MORE); bits 11..0: exactly one of EOS 0x01, MORE 0x02,
 *           ERROR 0x04, DONE 0x08
 * MORE      be64 count (at most 512 Ki), then one byte per page: its state, 0 to 3
 * </pre>
 * DONE follows the last states at stop-copy, EOS ends every section, and ERROR (the source could
 * not read its attributes) is refused. Runs must lie within the machine's pages when their number
 * is known.
 */
public final class StattribRecordReader {
    private final long pages;

    /** @param pages how many pages the machine has, or -1 when that is not known here */
    public StattribRecordReader(long pages) {
        this.pages = pages;
    }

    /** Refuses a section of another version than the one this reader knows. */
    public static void checkVersion(int version, long at) throws StreamFormatException {
        if (version != VERSION) {
            throw new StreamFormatException("storage attributes section version " + version + "; expected " + VERSION,
                    at);
        }
    }

    public StattribRecord next(StreamInput in) throws IOException {
        long at = in.position();
        long word = in.getBe64();
        long flags = word & ((1 << PAGE_BITS) - 1);
        long first = word >>> PAGE_BITS;
        if (flags == FLAG_MORE) {
            return run(in, first, at);
        } else if (flags == FLAG_DONE) {
            return new StattribRecord.Done(at);
        } else if (flags == FLAG_EOS) {
            return new StattribRecord.Eos(at);
        } else if (flags == FLAG_ERROR) {
            throw new StreamFormatException("storage attributes data is incomplete (ERROR from the source)", at);
        }
        throw new StreamFormatException(String.format("unexpected storage attribute flags 0x%x; expected MORE, "
                + "DONE, EOS or ERROR", flags), at);
    }

    private StattribRecord run(StreamInput in, long first, long at) throws IOException {
        long count = in.getBe64();
        if (count < 0 || count > MAX_RUN || pages >= 0 && first + count > pages) {
            throw new StreamFormatException("storage attributes for pages " + first + " to " + (first + count) + "; "
                    + (pages >= 0 ? "this machine has " + pages : "expected at most " + MAX_RUN + " in a record"), at);
        }
        byte[] states = in.getBytes((int) count);
        for (int i = 0; i < count; i++) {
            if (states[i] < 0 || states[i] > 3) {
                throw new StreamFormatException("storage attribute " + (states[i] & 0xff) + " for page " + (first + i)
                        + "; expected 0 to 3", at);
            }
        }
        return new StattribRecord.Run(at, first, states);
    }
}

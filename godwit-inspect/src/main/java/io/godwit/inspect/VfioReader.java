package io.godwit.inspect;

import static io.godwit.stream.StreamConstants.*;

import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A device section with VFIO's markers (QEMU hw/vfio/migration.c; Godwit's "ID/vfio" sections):
 * SETUP and END_OF_STATE, DATA records (be64 size and the bytes), INIT_DATA_SENT, and in a FULL
 * section Godwit's CONFIG record (be32 length and the device's description). QEMU's own CONFIG
 * is VMState data with no length; QEMU's trailer describes it, so it never reaches this reader.
 */
final class VfioReader implements SectionReader {
    private static final long MAX_DATA = 1L << 30;
    private static final int MAX_CONFIG = 1 << 20;

    private final String idstr;
    private long dataRecords;
    private long dataBytes;
    private boolean initDataSent;
    private String config;

    VfioReader(String idstr) {
        this.idstr = idstr;
    }

    @Override
    public void read(StreamInput in, int version) throws IOException {
        while (true) {
            long at = in.position();
            long marker = in.getBe64();
            if (marker == DEV_END_OF_STATE) {
                return;
            } else if (marker == DEV_DATA_STATE) {
                long size = in.getBe64();
                if (size < 0 || size > MAX_DATA) {
                    throw new StreamFormatException(idstr + ": data record of " + Long.toUnsignedString(size)
                            + " bytes; expected at most 1 GiB", at);
                }
                in.skip(size);
                dataRecords++;
                dataBytes += size;
            } else if (marker == DEV_SETUP_STATE) {
                expectEnd(in, "SETUP");
                return;
            } else if (marker == DEV_CONFIG_STATE) {
                int len = in.getBe32();
                if (len < 0 || len > MAX_CONFIG) {
                    throw new StreamFormatException(idstr + ": configuration of " + Integer.toUnsignedString(len)
                            + " bytes; expected at most " + MAX_CONFIG, at);
                }
                config = new String(in.getBytes(len), StandardCharsets.UTF_8);
                expectEnd(in, "CONFIG");
                return;
            } else if (marker == DEV_INIT_DATA_SENT) {
                initDataSent = true;
                return;
            } else {
                throw new StreamFormatException(String.format("%s: unknown marker 0x%016x; expected END_OF_STATE, "
                        + "CONFIG, SETUP, DATA or INIT_DATA_SENT", idstr, marker), at);
            }
        }
    }

    private void expectEnd(StreamInput in, String what) throws IOException {
        long at = in.position();
        long marker = in.getBe64();
        if (marker != DEV_END_OF_STATE) {
            throw new StreamFormatException(String.format("%s: %s not closed: expected END_OF_STATE, found 0x%016x",
                    idstr, what, marker), at);
        }
    }

    String idstr() {
        return idstr;
    }

    long dataRecords() {
        return dataRecords;
    }

    long dataBytes() {
        return dataBytes;
    }

    boolean initDataSent() {
        return initDataSent;
    }

    /** The device's description from a CONFIG record, or null. */
    String config() {
        return config;
    }
}

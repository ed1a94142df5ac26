package io.godwit.inspect;

import io.godwit.device.DeviceRecord;
import io.godwit.device.DeviceRecordReader;
import io.godwit.stream.StreamInput;
import java.io.IOException;

/**
 * A device section with VFIO's markers (QEMU hw/vfio/migration.c; Godwit's "ID/vfio" sections),
 * read with the engine's {@link DeviceRecordReader}: its DATA records, INIT_DATA_SENT, and in a
 * FULL section Godwit's CONFIG record. QEMU's own CONFIG is VMState data with no length; QEMU's
 * trailer describes it, so it never reaches this reader.
 */
final class VfioReader implements SectionReader {
    private final String idstr;
    private final DeviceRecordReader reader;
    private long dataRecords;
    private long dataBytes;
    private boolean initDataSent;
    private String config;

    VfioReader(String idstr) {
        this.idstr = idstr;
        this.reader = new DeviceRecordReader("device " + idstr);
    }

    @Override
    public void read(StreamInput in, int version) throws IOException {
        DeviceRecord r;
        do {
            r = reader.next(in);
            switch (r) {
                case DeviceRecord.Data d -> {
                    in.skip(d.size());
                    dataRecords++;
                    dataBytes += d.size();
                }
                case DeviceRecord.Config c -> config = c.description();
                case DeviceRecord.InitDataSent i -> initDataSent = true;
                case DeviceRecord.End e -> { }
                case DeviceRecord.Setup e -> { }
            }
        } while (!r.last());
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

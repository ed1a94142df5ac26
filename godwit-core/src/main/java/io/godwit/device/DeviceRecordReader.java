package io.godwit.device;

import static io.godwit.stream.StreamConstants.*;

import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import io.godwit.stream.UnreadData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads the records of a device section with VFIO's markers (QEMU hw/vfio/migration.c; Godwit's
 * "ID/vfio" sections) one at a time, and verifies each before returning it: the destination's
 * {@link DeviceHandler} and {@code godwit inspect} both read them here.
 *
 * <pre>
 * marker          be64: END_OF_STATE 0xffffffffef100001, CONFIG ..02, SETUP ..03, DATA ..04,
 *                 INIT_DATA_SENT ..05
 * DATA            marker, be64 size (at most 1 GiB), then that many bytes of the data stream
 * SETUP           marker, END_OF_STATE
 * CONFIG          marker, be32 length (at most 4096), the device's description (UTF-8), END_OF_STATE
 * END_OF_STATE    marker
 * INIT_DATA_SENT  marker, in place of END_OF_STATE when switchover-ack is in use
 * </pre>
 * A payload is DATA records followed by one of the others: START and PART sections end with
 * END_OF_STATE (SETUP at setup), the FULL section is CONFIG. QEMU's own CONFIG is VMState data
 * without a length, which only a trailer describes; this reader reads Godwit's.
 */
public final class DeviceRecordReader {
    /** Largest DATA record: QEMU reads the data stream in buffers far smaller. */
    public static final long MAX_DATA = 1L << 30;
    public static final int MAX_CONFIG = 4096;

    private final String device;
    private final UnreadData data = new UnreadData("data");

    /** @param device how messages name the device, such as "device dev0" */
    public DeviceRecordReader(String device) {
        this.device = device;
    }

    /** The next record of {@code in}, verified; the bytes of a DATA record before it must have been read. */
    public DeviceRecord next(StreamInput in) throws IOException {
        data.checkRead(in);
        long at = in.position();
        long marker = in.getBe64();
        if (marker == DEV_END_OF_STATE) {
            return new DeviceRecord.End(at);
        } else if (marker == DEV_DATA_STATE) {
            long size = in.getBe64();
            if (size < 0 || size > MAX_DATA) {
                throw new StreamFormatException(device + ": data record of " + size + " bytes; expected at most 1 GiB",
                        at);
            }
            data.follow(in, size);
            return new DeviceRecord.Data(at, size);
        } else if (marker == DEV_SETUP_STATE) {
            expectEnd(in, "SETUP STATE");
            return new DeviceRecord.Setup(at);
        } else if (marker == DEV_CONFIG_STATE) {
            int len = in.getBe32();
            if (len < 0 || len > MAX_CONFIG) {
                throw new StreamFormatException(device + ": configuration of " + len + " bytes; expected at most "
                        + MAX_CONFIG, at);
            }
            String description = new String(in.getBytes(len), StandardCharsets.UTF_8);
            expectEnd(in, "CONFIG STATE");
            return new DeviceRecord.Config(at, description);
        } else if (marker == DEV_INIT_DATA_SENT) {
            return new DeviceRecord.InitDataSent(at);
        }
        throw new StreamFormatException(String.format("%s: unknown marker 0x%016x; expected one of END_OF_STATE, "
                + "CONFIG, SETUP, DATA, INIT_DATA_SENT", device, marker), at);
    }

    private void expectEnd(StreamInput in, String what) throws IOException {
        long at = in.position();
        long marker = in.getBe64();
        if (marker != DEV_END_OF_STATE) {
            throw new StreamFormatException(String.format("%s: %s not closed: expected END_OF_STATE, found 0x%016x",
                    device, what, marker), at);
        }
    }
}

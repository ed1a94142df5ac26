package io.godwit.device;

import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Refusal.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.godwit.stream.Bytes;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Device records decoded from hand-written bytes and from what the device handler writes. */
class DeviceRecordReaderTest {
    static final byte[] END = hex("ffffffff ef100001");

    /** The payload's records; each DATA record's bytes are read and collected into {@code data}. */
    static List<DeviceRecord> readAll(byte[] payload, List<byte[]> data) throws IOException {
        StreamInput in = Bytes.chopped(payload, 6);
        DeviceRecordReader reader = new DeviceRecordReader("device d");
        List<DeviceRecord> out = new ArrayList<>();
        DeviceRecord r;
        do {
            r = reader.next(in);
            if (r instanceof DeviceRecord.Data d) {
                data.add(in.getBytes((int) d.size()));
            }
            out.add(r);
        } while (!r.last());
        assertThat(in.hasMore()).as("read to the end").isFalse();
        return out;
    }

    @Test
    void decodesHandWrittenPayloads() throws IOException {
        List<byte[]> data = new ArrayList<>();
        assertThat(readAll(hex("ffffffff ef100004 00000000 00000003 0a0b0c ffffffff ef100005"), data))
                .containsExactly(new DeviceRecord.Data(0, 3), new DeviceRecord.InitDataSent(19));
        assertThat(data).containsExactly(new byte[] {10, 11, 12});
        assertThat(readAll(concat(hex("ffffffff ef100003"), END), data)).containsExactly(new DeviceRecord.Setup(0));
        assertThat(readAll(concat(hex("ffffffff ef100002 00000002 6869"), END), data))
                .containsExactly(new DeviceRecord.Config(0, "hi"));
        assertThat(readAll(END, data)).containsExactly(new DeviceRecord.End(0));
    }

    @Test
    void readsBackWhatTheHandlerWrites() throws IOException {
        ProbeDevice device = new ProbeDevice("probe0", false).withData(new byte[] {1, 2, 3, 4, 5});
        DeviceSource src = new DeviceSource(device, PendingPolicy.LEGACY);
        List<byte[]> data = new ArrayList<>();
        assertThat(readAll(src.setup(), data)).containsExactly(new DeviceRecord.Setup(0));
        assertThat(readAll(src.iterate(), data)).containsExactly(new DeviceRecord.Data(0, 5), new DeviceRecord.End(21));
        assertThat(data).containsExactly(new byte[] {1, 2, 3, 4, 5});
        assertThat(readAll(src.state(), data)).containsExactly(new DeviceRecord.Config(0, "probe"));
    }

    @Test
    void refusesTheNextRecordBeforeTheDataOfThisOneIsRead() throws IOException {
        StreamInput in = Bytes.input(concat(hex("ffffffff ef100004 00000000 00000001 00"), END));
        DeviceRecordReader reader = new DeviceRecordReader("device d");
        reader.next(in);
        assertThatThrownBy(() -> reader.next(in)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("data after the previous record must be read first");
    }

    @Test
    void namesTheDeviceInItsRefusals() {
        assertRefused(() -> readAll(hex("ffffffff ef100002 00001001"), new ArrayList<>()), StreamFormatException.class,
                0, "device d: configuration of 4097 bytes; expected at most 4096");
    }
}

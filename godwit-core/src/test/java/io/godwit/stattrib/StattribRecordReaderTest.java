package io.godwit.stattrib;

import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Refusal.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.godwit.ram.RamBlock;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Storage-attribute records decoded from hand-written bytes and from what the source writes. */
class StattribRecordReaderTest {
    static List<StattribRecord> readAll(StattribRecordReader reader, byte[] payload) throws IOException {
        StreamInput in = Bytes.chopped(payload, 5);
        List<StattribRecord> out = new ArrayList<>();
        StattribRecord r;
        do {
            r = reader.next(in);
            out.add(r);
        } while (!r.last());
        assertThat(in.hasMore()).as("read to the end").isFalse();
        return out;
    }

    @Test
    void decodesHandWrittenRecords() throws IOException {
        byte[] payload = hex("00000000 00003002 00000000 00000003 01 00 03  00000000 00000008  00000000 00000001");
        List<StattribRecord> records = readAll(new StattribRecordReader(8), payload);
        assertThat(records).extracting(StattribRecord::at, r -> r.getClass().getSimpleName())
                .containsExactly(tuple(0L, "Run"), tuple(19L, "Done"), tuple(27L, "Eos"));
        StattribRecord.Run run = (StattribRecord.Run) records.getFirst();
        assertThat(run.first()).isEqualTo(3);
        assertThat(run.states()).containsExactly(1, 0, 3);
    }

    @Test
    void readsBackWhatTheSourceWrites() throws IOException {
        try (RamBlock block = new RamBlock("ram", 6 * 4096, false)) {
            StorageAttributes attrs = new StorageAttributes(List.of(block));
            attrs.set(1, PageState.UNUSED);
            attrs.set(4, PageState.VOLATILE);
            StattribSource src = new StattribSource(attrs);
            StattribRecordReader reader = new StattribRecordReader(attrs.pages());
            assertThat(readAll(reader, src.setup())).extracting(r -> r.getClass().getSimpleName()).containsExactly("Eos");
            List<StattribRecord> records = readAll(reader, src.iterate(Integer.MAX_VALUE));
            StattribRecord.Run run = (StattribRecord.Run) records.getFirst();
            assertThat(run.first()).isZero();
            assertThat(run.states()).containsExactly(attrs.raw(0), attrs.raw(1), attrs.raw(2), attrs.raw(3),
                    attrs.raw(4), attrs.raw(5));
            assertThat(readAll(reader, src.complete())).extracting(r -> r.getClass().getSimpleName())
                    .containsExactly("Done", "Eos");
        }
    }

    @Test
    void checksRunsAgainstTheMachineOnlyWhenItsSizeIsKnown() throws IOException {
        byte[] payload = concat(hex("00000000 00064002 00000000 00000001 02"), hex("00000000 00000001"));
        assertThat(readAll(new StattribRecordReader(-1), payload).getFirst().at()).isZero();
        assertRefused(() -> readAll(new StattribRecordReader(8), payload), StreamFormatException.class, 0,
                "storage attributes for pages 100 to 101; this machine has 8");
        assertRefused(() -> readAll(new StattribRecordReader(-1), hex("00000000 00000002 00000000 00080001")),
                StreamFormatException.class, 0, "storage attributes for pages 0 to 524289; expected at most 524288");
    }

    @Test
    void refusesASectionOfAnotherVersion() {
        assertRefused(() -> StattribRecordReader.checkVersion(1, 4), StreamFormatException.class, 4,
                "storage attributes section version 1; expected 0");
    }
}

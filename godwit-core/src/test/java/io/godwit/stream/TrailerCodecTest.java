package io.godwit.stream;

import static io.godwit.stream.Bytes.ascii;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.framed;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Bytes.input;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** QEMU_VM_EOF (0x00) and the VMDESCRIPTION trailer after it (0x06, be32 length, JSON). */
class TrailerCodecTest {
    static final String JSON = "{\"page_size\": 4096, \"devices\": []}";
    static final byte[] EOF = hex("00");
    static final byte[] VMDESCRIPTION = concat(hex("06 | 00 00 00 22"), ascii(JSON));

    @Test
    void writesEofAsOneZeroByte() throws IOException {
        assertThat(framed(w -> w.write(StreamRecord.EOF))).containsExactly(EOF);
        assertThat(framed(MigrationStreamWriter::eof)).containsExactly(EOF);
    }

    @Test
    void writesVmDescriptionWithBe32Length() throws IOException {
        assertThat(JSON).hasSize(0x22);
        assertThat(framed(w -> w.write(new VmDescription(JSON)))).containsExactly(VMDESCRIPTION);
    }

    @Test
    void readsHandWrittenEofThenTrailer() throws IOException {
        MigrationStreamReader r = new MigrationStreamReader(input(concat(EOF, VMDESCRIPTION)));
        assertThat(r.next()).isEqualTo(StreamRecord.EOF);
        assertThat(r.next()).isEqualTo(new VmDescription(JSON));
        assertThat(r.next()).isNull();
        assertThat(r.in().position()).isEqualTo(1 + 5 + 0x22);
    }

    @Test
    void vmDescriptionLengthCountsUtf8Bytes() throws IOException {
        String json = "{\"name\": \"caf\u00e9\"}";
        byte[] bytes = framed(w -> w.write(new VmDescription(json)));
        assertThat(bytes).startsWith(hex("06 00 00 00 11"));
        assertThat(new MigrationStreamReader(input(bytes)).next()).isEqualTo(new VmDescription(json));
    }

    @Test
    void roundTripsEmptyAndWrittenDescriptions() throws IOException {
        String written = new JsonWriter().beginObject(null).value("page_size", 4096)
                .beginArray("devices").endArray().endObject().toString();
        for (String json : new String[] {"", written}) {
            byte[] bytes = framed(w -> {
                w.eof();
                w.vmDescription(json);
            });
            MigrationStreamReader r = new MigrationStreamReader(input(bytes));
            assertThat(r.next()).isEqualTo(StreamRecord.EOF);
            assertThat(r.next()).isEqualTo(new VmDescription(json));
        }
    }
}

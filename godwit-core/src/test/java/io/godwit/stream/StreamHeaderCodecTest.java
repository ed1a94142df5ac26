package io.godwit.stream;

import static io.godwit.stream.Bytes.framed;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Bytes.input;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The file header: magic "QEVM" then be32 version 3 (savevm.c qemu_savevm_state_header). */
class StreamHeaderCodecTest {
    static final byte[] GOLDEN = hex("51 45 56 4d | 00 00 00 03");

    @Test
    void writesMagicThenVersion3() throws IOException {
        assertThat(framed(MigrationStreamWriter::header)).containsExactly(GOLDEN);
    }

    @Test
    void readsHandWrittenHeader() throws IOException {
        StreamInput in = input(GOLDEN);
        new MigrationStreamReader(in).readHeader();
        assertThat(in.position()).isEqualTo(8);
        assertThat(in.hasMore()).isFalse();
    }

    @Test
    void roundTripsHeader() throws IOException {
        StreamInput in = input(framed(MigrationStreamWriter::header));
        new MigrationStreamReader(in).readHeader();
        assertThat(in.position()).isEqualTo(8);
    }
}

package io.godwit.stream;

import static io.godwit.stream.Bytes.ascii;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.framed;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Bytes.input;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The CONFIGURATION section (savevm.c vmstate_configuration): 0x07, be32 length, machine type,
 * then optional subsections, each 0x05, u8 length + name, be32 version 1, payload.
 */
class ConfigurationCodecTest {
    static final UUID UUID_ = UUID.fromString("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");

    static final byte[] MACHINE_ONLY = concat(hex("07 | 00 00 00 0a"), ascii("pc-q35-9.2"));

    static final byte[] TARGET_PAGE_BITS = concat(
            hex("05 | 1e"), ascii("configuration/target-page-bits"), hex("00 00 00 01"),
            hex("00 00 00 0c"));

    static final byte[] CAPABILITIES = concat(
            hex("05 | 1a"), ascii("configuration/capabilities"), hex("00 00 00 01"),
            hex("00 00 00 02"),
            hex("0c"), ascii("postcopy-ram"),
            hex("0e"), ascii("switchover-ack"));

    static final byte[] UUID_SUB = concat(
            hex("05 | 12"), ascii("configuration/uuid"), hex("00 00 00 01"),
            hex("0f 1e 2d 3c 4b 5a 69 78 87 96 a5 b4 c3 d2 e1 f0"));

    static final Configuration FULL_CONFIG =
            new Configuration("pc-q35-9.2", 12, List.of("postcopy-ram", "switchover-ack"), UUID_);

    @Test
    void writesMachineTypeWithBe32Length() throws IOException {
        assertThat(framed(w -> w.write(Configuration.of("pc-q35-9.2")))).containsExactly(MACHINE_ONLY);
    }

    @Test
    void writesTargetPageBitsSubsection() throws IOException {
        Configuration c = new Configuration("pc-q35-9.2", 12, List.of(), null);
        assertThat(framed(w -> w.write(c))).containsExactly(concat(MACHINE_ONLY, TARGET_PAGE_BITS));
    }

    @Test
    void writesCapabilitiesSubsection() throws IOException {
        Configuration c = new Configuration("pc-q35-9.2", 0, List.of("postcopy-ram", "switchover-ack"), null);
        assertThat(framed(w -> w.write(c))).containsExactly(concat(MACHINE_ONLY, CAPABILITIES));
    }

    @Test
    void writesUuidSubsection() throws IOException {
        Configuration c = new Configuration("pc-q35-9.2", 0, List.of(), UUID_);
        assertThat(framed(w -> w.write(c))).containsExactly(concat(MACHINE_ONLY, UUID_SUB));
    }

    @Test
    void writesEverySubsectionInQemuOrder() throws IOException {
        assertThat(framed(w -> w.write(FULL_CONFIG)))
                .containsExactly(concat(MACHINE_ONLY, TARGET_PAGE_BITS, CAPABILITIES, UUID_SUB));
    }

    @Test
    void readsHandWrittenConfigurationWithoutSubsections() throws IOException {
        assertThat(readAll(MACHINE_ONLY)).isEqualTo(Configuration.of("pc-q35-9.2"));
    }

    @Test
    void readsHandWrittenSubsectionsInAnyOrder() throws IOException {
        byte[] golden = concat(MACHINE_ONLY, UUID_SUB, CAPABILITIES, TARGET_PAGE_BITS);
        assertThat(readAll(golden)).isEqualTo(FULL_CONFIG);
    }

    @Test
    void readsEmptyMachineType() throws IOException {
        assertThat(readAll(hex("07 00 00 00 00"))).isEqualTo(Configuration.of(""));
    }

    @Test
    void stopsAtTheFirstByteThatIsNotASubsection() throws IOException {
        MigrationStreamReader r = new MigrationStreamReader(input(concat(MACHINE_ONLY, TARGET_PAGE_BITS, hex("00"))));
        assertThat(r.next()).isEqualTo(new Configuration("pc-q35-9.2", 12, List.of(), null));
        assertThat(r.next()).isEqualTo(StreamRecord.EOF);
        assertThat(r.next()).isNull();
    }

    @Test
    void roundTripsConfigurations() throws IOException {
        for (Configuration c : List.of(Configuration.of("x"), Configuration.of(""), FULL_CONFIG,
                new Configuration("virt", 16, List.of("a"), null))) {
            assertThat(readAll(framed(w -> w.write(c)))).isEqualTo(c);
        }
    }

    private static StreamRecord readAll(byte[] bytes) throws IOException {
        StreamInput in = input(bytes);
        StreamRecord r = new MigrationStreamReader(in).next();
        assertThat(in.hasMore()).as("bytes left after the configuration").isFalse();
        return r;
    }
}

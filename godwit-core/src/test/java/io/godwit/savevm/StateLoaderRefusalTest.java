package io.godwit.savevm;

import static io.godwit.stream.Bytes.ascii;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Refusal.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.options.Capabilities;
import io.godwit.stream.Bytes;
import io.godwit.stream.MigrationStreamReader;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import io.godwit.stream.TruncatedStreamException;
import org.junit.jupiter.api.Test;

/**
 * Every stream the loader refuses (QEMU savevm.c qemu_loadvm_state_main rules), with the byte
 * offset it names and what it says it expected. Layout used below: the header is bytes 0..7; a
 * START of "dev" takes 17 bytes (8..24), its payload 4 (25..28) and its footer 5 (29..33).
 */
class StateLoaderRefusalTest {
    static final byte[] HEADER = hex("5145564d 00000003");
    static final byte[] DEV_START = hex("01 00000000 03 646576 00000000 00000001");
    static final byte[] PAYLOAD = hex("00000007");
    static final byte[] FOOTER = hex("7e 00000000");
    static final byte[] EOF = hex("00");

    final HandlerRegistry registry = new HandlerRegistry();
    final FakeHandler dev = new FakeHandler();

    StateLoaderRefusalTest() {
        registry.register("dev", 1, dev);
    }

    StateLoader loader(byte[] stream) {
        return loader(stream, null);
    }

    StateLoader loader(byte[] stream, String machineType) {
        StreamInput in = Bytes.chopped(stream, 5);
        return new StateLoader(registry, new MigrationStreamReader(in),
                new LoadContext(in, Capabilities.defaults(), () -> {}), (c, offset) -> {}, machineType);
    }

    @Test
    void refusesStreamWithWrongMagic() {
        assertRefused(loader(hex("5145564e 00000003"))::load, StreamFormatException.class, 0,
                "expected magic 0x5145564d (QEVM), found 0x5145564e");
        assertThat(dev.calls).as("no handler is touched before the header is checked").isEmpty();
    }

    @Test
    void refusesObsoleteVersion2() {
        assertRefused(loader(hex("5145564d 00000002"))::load, StreamFormatException.class, 4,
                "unsupported stream version 2 (obsolete); expected version 3");
    }

    @Test
    void refusesUnsupportedVersion() {
        assertRefused(loader(hex("5145564d 00000004"))::load, StreamFormatException.class, 4,
                "unsupported stream version 4; expected version 3");
    }

    @Test
    void refusesUnknownSectionType() {
        assertRefused(loader(concat(HEADER, hex("09")))::load, StreamFormatException.class, 8,
                "unknown section type 0x09; expected one of");
    }

    /** A corrupt idstr of NULs and newlines is quoted escaped, so the refusal stays one line. */
    @Test
    void quotesACorruptSectionNameEscapedOnOneLine() {
        byte[] start = hex("01 00000000 06 00 0a 41 0d 1b 7f 00000000 00000001"); // "\0\nA\r\e\x7f"
        StreamFormatException e = assertRefused(loader(concat(HEADER, start, PAYLOAD, FOOTER, EOF))::load,
                StreamFormatException.class, 8, "unknown section '\\x00\\x0aA\\x0d\\x1b\\x7f' instance 0");
        assertThat(e.getMessage()).doesNotContainPattern("\\p{Cntrl}");
        assertThat(e.reason()).startsWith("unknown section '\\x00\\x0aA");
    }

    @Test
    void refusesSectionForIdstrNotRegisteredOnTheDestination() {
        byte[] start = hex("01 00000000 03 766761 00000000 00000001"); // "vga"
        assertRefused(loader(concat(HEADER, start, PAYLOAD, FOOTER, EOF))::load, StreamFormatException.class, 8,
                "unknown section 'vga' instance 0: expected a handler registered on the destination");
    }

    @Test
    void refusesFullSectionForInstanceNotRegisteredOnTheDestination() {
        byte[] full = hex("04 00000000 03 646576 00000002 00000001"); // "dev" instance 2
        assertRefused(loader(concat(HEADER, full, PAYLOAD, FOOTER, EOF))::load, StreamFormatException.class, 8,
                "unknown section 'dev' instance 2: expected a handler registered on the destination");
        assertThat(dev.calls).containsExactly("setup", "cleanup");
    }

    @Test
    void refusesVersionNewerThanTheHandlerSupports() {
        byte[] start = hex("01 00000000 03 646576 00000000 00000002");
        assertRefused(loader(concat(HEADER, start, PAYLOAD, FOOTER, EOF))::load, StreamFormatException.class, 8,
                "unsupported version 2 for 'dev': expected at most version 1");
    }

    @Test
    void refusesPartForSectionIdNeverStarted() {
        byte[] stream = concat(HEADER, DEV_START, PAYLOAD, FOOTER, hex("02 00000001"), PAYLOAD, hex("7e 00000001"));
        assertRefused(loader(stream)::load, StreamFormatException.class, 34,
                "unknown section id 1 in SECTION_PART: expected the id of a started section");
    }

    @Test
    void refusesEndForSectionIdNeverStarted() {
        assertRefused(loader(concat(HEADER, hex("03 00000000"), PAYLOAD, FOOTER))::load, StreamFormatException.class,
                8, "unknown section id 0 in SECTION_END: expected the id of a started section");
    }

    @Test
    void refusesSectionIdReusedForAnotherHandler() {
        registry.register("ram", 4, new FakeHandler());
        byte[] ramStart = hex("01 00000000 03 72616d 00000000 00000004");
        byte[] stream = concat(HEADER, DEV_START, PAYLOAD, FOOTER, ramStart, PAYLOAD, FOOTER, EOF);
        assertRefused(loader(stream)::load, StreamFormatException.class, 34,
                "section id 0 already belongs to 'dev'; expected a new id for 'ram'");
    }

    @Test
    void refusesSectionWithoutFooter() {
        assertRefused(loader(concat(HEADER, DEV_START, PAYLOAD, EOF))::load, StreamFormatException.class, 29,
                "missing section footer for 'dev': expected 0x7e, found 0x00");
    }

    @Test
    void refusesFooterWithMismatchedSectionId() {
        assertRefused(loader(concat(HEADER, DEV_START, PAYLOAD, hex("7e 00000001"), EOF))::load,
                StreamFormatException.class, 29, "mismatched section id in footer for 'dev': expected 0, found 1");
    }

    @Test
    void refusesFooterOutsideASection() {
        assertRefused(loader(concat(HEADER, FOOTER, EOF))::load, StreamFormatException.class, 8,
                "section footer (id 0) outside a section; expected a section header");
    }

    @Test
    void refusesStreamTruncatedInTheHeader() {
        assertRefused(loader(hex("5145564d 000000"))::load, TruncatedStreamException.class, 4,
                "truncated stream: expected 4 bytes, stream ended");
    }

    @Test
    void refusesStreamTruncatedInASectionHeader() {
        // the idstr's length is at 13, "de" at 14..15, and the stream ends at 16
        assertRefused(loader(concat(HEADER, hex("01 00000000 03 6465")))::load, TruncatedStreamException.class, 16,
                "expected 1 more bytes of a 3-byte field");
    }

    @Test
    void refusesStreamTruncatedMidPayload() {
        assertRefused(loader(concat(HEADER, DEV_START, hex("0000")))::load, TruncatedStreamException.class, 25,
                "expected 4 bytes");
        assertThat(dev.calls).as("cleanup runs after a failed load").containsExactly("setup", "cleanup");
    }

    @Test
    void refusesStreamEndingBeforeTheFooter() {
        assertRefused(loader(concat(HEADER, DEV_START, PAYLOAD))::load, TruncatedStreamException.class, 29,
                "expected section footer for 'dev'");
    }

    @Test
    void refusesStreamEndingWithoutEof() {
        assertRefused(loader(concat(HEADER, DEV_START, PAYLOAD, FOOTER))::load, TruncatedStreamException.class, 34,
                "truncated stream: expected a section or EOF, stream ended");
    }

    @Test
    void refusesUnknownCommand() {
        assertRefused(loader(concat(HEADER, hex("08 0000 0000"), EOF))::load, StreamFormatException.class, 8,
                "unknown command 0x0000");
    }

    @Test
    void refusesCommandWithWrongLength() {
        assertRefused(loader(concat(HEADER, hex("08 0007 0002 0001"), EOF))::load, StreamFormatException.class, 8,
                "command PACKAGED has length 2; expected 4");
    }

    @Test
    void refusesConfigurationForAnotherMachineType() {
        byte[] config = concat(hex("07 00000009"), ascii("pc-i440fx"));
        assertRefused(loader(concat(HEADER, config, EOF), "pc-q35")::load, StreamFormatException.class, 8,
                "machine type received is 'pc-i440fx'; expected 'pc-q35'");
    }

    @Test
    void refusesConfigurationWithAnotherTargetPageSize() {
        byte[] config = concat(hex("07 00000006"), ascii("pc-q35"),
                hex("05 1e"), ascii("configuration/target-page-bits"), hex("00000001 00000010"));
        assertRefused(loader(concat(HEADER, config, EOF), "pc-q35")::load, StreamFormatException.class, 8,
                "target page size 65536 on the source; expected 4096");
    }

    @Test
    void refusesConfigurationRequiringACapabilityOffHere() {
        byte[] config = concat(hex("07 00000006"), ascii("pc-q35"),
                hex("05 1a"), ascii("configuration/capabilities"), hex("00000001 00000001 0f"), ascii("x-ignore-shared"));
        assertRefused(loader(concat(HEADER, config, EOF), "pc-q35")::load, StreamFormatException.class, 8,
                "capability 'x-ignore-shared' is on at the source but not here");
    }

    @Test
    void refusesConfigurationAfterASection() {
        byte[] config = concat(hex("07 00000006"), ascii("pc-q35"));
        assertRefused(loader(concat(HEADER, DEV_START, PAYLOAD, FOOTER, config, EOF), "pc-q35")::load,
                StreamFormatException.class, 34,
                "configuration section after the first section; expected it right after the header");
    }

    @Test
    void refusesSecondConfiguration() {
        byte[] config = concat(hex("07 00000006"), ascii("pc-q35"));
        assertRefused(loader(concat(HEADER, config, config, EOF), "pc-q35")::load, StreamFormatException.class, 19,
                "configuration section after the first section");
    }

    @Test
    void refusesVmDescriptionBeforeEof() {
        assertRefused(loader(concat(HEADER, hex("06 00000002 7b7d"), EOF))::load, StreamFormatException.class, 8,
                "VMDESCRIPTION before EOF; expected a section or EOF");
    }

    @Test
    void refusesTrailerThatIsCutShort() {
        assertRefused(loader(concat(HEADER, EOF, hex("06 00000004 7b7d")))::load, TruncatedStreamException.class,
                16, "expected 2 more bytes of a 4-byte field");
    }

    @Test
    void namesTheSectionWhenItsHandlerFails() {
        dev.failWith = new IllegalStateException("device refused its state");
        StreamFormatException e = assertRefused(loader(concat(HEADER, DEV_START, PAYLOAD, FOOTER, EOF))::load,
                StreamFormatException.class, 8, "loading section 'dev' (id 0) failed: device refused its state");
        assertThat(e).hasCauseReference(dev.failWith);
    }
}

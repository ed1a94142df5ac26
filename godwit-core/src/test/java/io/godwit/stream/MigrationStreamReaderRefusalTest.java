package io.godwit.stream;

import static io.godwit.stream.Bytes.ascii;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Bytes.input;
import static io.godwit.stream.Refusal.assertRefused;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every input the framing reader refuses, with the offset it names and what it says it expected. */
class MigrationStreamReaderRefusalTest {
    static final byte[] HEADER = hex("5145564d 00000003");

    private static MigrationStreamReader reader(byte[] bytes) {
        return new MigrationStreamReader(input(bytes));
    }

    /** A reader positioned after a valid header. */
    private static MigrationStreamReader afterHeader(String hex) throws Exception {
        MigrationStreamReader r = reader(concat(HEADER, hex(hex)));
        r.readHeader();
        return r;
    }

    @Test
    void refusesStreamWithWrongMagic() {
        assertRefused(() -> reader(hex("5145564e 00000003")).readHeader(), StreamFormatException.class, 0,
                "expected magic 0x5145564d (QEVM)", "found 0x5145564e");
    }

    @Test
    void refusesObsoleteVersion2() {
        assertRefused(() -> reader(hex("5145564d 00000002")).readHeader(), StreamFormatException.class, 4,
                "unsupported stream version 2 (obsolete)", "expected version 3");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4, 0x100, -1})
    void refusesOtherVersions(int version) {
        assertRefused(() -> reader(concat(hex("5145564d"), Bytes.be32(version))).readHeader(),
                StreamFormatException.class, 4, "unsupported stream version " + version, "expected version 3");
    }

    @Test
    void refusesStreamTruncatedInTheMagic() {
        assertRefused(() -> reader(hex("5145")).readHeader(), TruncatedStreamException.class, 0,
                "expected 4 bytes", "stream ended");
    }

    @Test
    void refusesStreamTruncatedInTheVersion() {
        assertRefused(() -> reader(hex("5145564d 0000")).readHeader(), TruncatedStreamException.class, 4,
                "expected 4 bytes");
    }

    @Test
    void refusesEmptyStream() {
        assertRefused(() -> reader(new byte[0]).readHeader(), TruncatedStreamException.class, 0, "expected 4 bytes");
    }

    @ParameterizedTest
    @ValueSource(ints = {0x05, 0x09, 0x7d, 0x7f, 0xff})
    void refusesUnknownSectionType(int type) throws Exception {
        MigrationStreamReader r = afterHeader(String.format("%02x 00000000", type));
        assertRefused(r::next, StreamFormatException.class, 8, String.format("unknown section type 0x%02x", type),
                "expected one of EOF, START, PART, END, FULL, COMMAND, CONFIGURATION, FOOTER, VMDESCRIPTION");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 12, 0x100, 0xffff})
    void refusesUnknownCommand(int code) throws Exception {
        MigrationStreamReader r = afterHeader(String.format("08 %04x 0000", code));
        assertRefused(r::next, StreamFormatException.class, 8, String.format("unknown command 0x%04x", code));
    }

    @Test
    void refusesPingWithWrongLength() throws Exception {
        MigrationStreamReader r = afterHeader("08 0002 0003 010203");
        assertRefused(r::next, StreamFormatException.class, 8, "command PING has length 3; expected 4");
    }

    @Test
    void refusesPayloadOnCommandThatTakesNone() throws Exception {
        MigrationStreamReader r = afterHeader("08 0001 0001 00");
        assertRefused(r::next, StreamFormatException.class, 8, "command OPEN_RETURN_PATH has length 1; expected 0");
    }

    @Test
    void refusesCommandTruncatedInItsPayload() throws Exception {
        MigrationStreamReader r = afterHeader("08 0007 0004 0000");
        assertRefused(r::next, TruncatedStreamException.class, 15, "expected 2 more bytes of a 4-byte field");
    }

    @Test
    void refusesStreamTruncatedInSectionId() throws Exception {
        MigrationStreamReader r = afterHeader("01 0000");
        assertRefused(r::next, TruncatedStreamException.class, 9, "expected 4 bytes");
    }

    @Test
    void refusesStreamTruncatedInIdstr() throws Exception {
        // type at 8, id at 9..12, length at 13, "ra" at 14..15, then the stream ends
        MigrationStreamReader r = afterHeader("01 00000000 03 7261");
        assertRefused(r::next, TruncatedStreamException.class, 16, "expected 1 more bytes of a 3-byte field");
    }

    @Test
    void refusesStreamTruncatedInVersionId() throws Exception {
        // type at 8, id at 9, length at 13, "a" at 14, instance at 15, version at 19
        MigrationStreamReader r = afterHeader("04 00000000 01 61 00000000 0000");
        assertRefused(r::next, TruncatedStreamException.class, 19, "expected 4 bytes");
    }

    @Test
    void refusesStreamTruncatedInPartHeader() throws Exception {
        MigrationStreamReader r = afterHeader("02 000000");
        assertRefused(r::next, TruncatedStreamException.class, 9, "expected 4 bytes");
    }

    @Test
    void refusesMissingFooter() throws Exception {
        MigrationStreamReader r = afterHeader("02 00000001");
        assertRefused(() -> r.readFooter(3, "ram"), StreamFormatException.class, 8,
                "missing section footer for 'ram': expected 0x7e, found 0x02");
    }

    @Test
    void refusesFooterWithMismatchedSectionId() throws Exception {
        MigrationStreamReader r = afterHeader("7e 00000004");
        assertRefused(() -> r.readFooter(3, "ram"), StreamFormatException.class, 8,
                "mismatched section id in footer for 'ram': expected 3, found 4");
    }

    @Test
    void refusesStreamEndingWhereAFooterBelongs() throws Exception {
        MigrationStreamReader r = afterHeader("");
        assertRefused(() -> r.readFooter(3, "ram"), TruncatedStreamException.class, 8,
                "expected section footer for 'ram'");
    }

    @Test
    void refusesFooterTruncatedInItsSectionId() throws Exception {
        MigrationStreamReader r = afterHeader("7e 0000");
        assertRefused(() -> r.readFooter(3, "ram"), TruncatedStreamException.class, 9, "expected 4 bytes");
    }

    @Test
    void refusesMachineTypeLengthOutOfRange() throws Exception {
        MigrationStreamReader r = afterHeader("07 00000101");
        assertRefused(r::next, StreamFormatException.class, 9, "machine type length 257 out of range",
                "expected 0 to 256");
    }

    @Test
    void refusesNegativeMachineTypeLength() throws Exception {
        MigrationStreamReader r = afterHeader("07 ffffffff");
        assertRefused(r::next, StreamFormatException.class, 9, "machine type length 4294967295 out of range");
    }

    @Test
    void refusesUnknownConfigurationSubsection() throws Exception {
        // 07 at 8, length at 9, "pc" at 13, subsection at 15
        MigrationStreamReader r = reader(concat(HEADER, hex("07 00000002"), ascii("pc"),
                hex("05 13"), ascii("configuration/bogus"), hex("00000001")));
        r.readHeader();
        assertRefused(r::next, StreamFormatException.class, 15, "unknown configuration subsection "
                + "'configuration/bogus'", "expected target-page-bits, capabilities or uuid");
    }

    @Test
    void refusesConfigurationSubsectionVersionOtherThan1() throws Exception {
        MigrationStreamReader r = reader(concat(HEADER, hex("07 00000002"), ascii("pc"),
                hex("05 12"), ascii("configuration/uuid"), hex("00000002")));
        r.readHeader();
        assertRefused(r::next, StreamFormatException.class, 15, "subsection configuration/uuid version 2",
                "expected 1");
    }

    @Test
    void refusesConfigurationTruncatedInASubsection() throws Exception {
        // the uuid's 16 bytes start at 15 + 1 + 1 + 18 + 4 = 39; 8 of them are there
        MigrationStreamReader r = reader(concat(HEADER, hex("07 00000002"), ascii("pc"),
                hex("05 12"), ascii("configuration/uuid"), hex("00000001 0102030405060708")));
        r.readHeader();
        assertRefused(r::next, TruncatedStreamException.class, 47, "expected 8 bytes");
    }

    @Test
    void refusesVmDescriptionLengthOutOfRange() throws Exception {
        MigrationStreamReader r = afterHeader("00 06 7fffffff");
        r.next();
        assertRefused(r::next, StreamFormatException.class, 10, "VMDESCRIPTION length 2147483647 out of range",
                "expected at most " + MigrationStreamReader.MAX_VMDESCRIPTION_BYTES);
    }

    @Test
    void refusesVmDescriptionTruncatedInItsJson() throws Exception {
        MigrationStreamReader r = afterHeader("06 00000004 7b7d");
        assertRefused(r::next, TruncatedStreamException.class, 15, "expected 2 more bytes of a 4-byte field");
    }
}

package io.godwit.stream;

import static io.godwit.stream.Bytes.framed;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Bytes.input;
import static io.godwit.stream.Refusal.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The post-copy commands with their payloads as QEMU writes them (savevm.c): golden bytes, round
 * trips, and the refusals of loadvm_postcopy_* for malformed payloads.
 */
class PostcopyCommandCodecTest {

    private static Command read(byte[] frame) throws IOException {
        return (Command) new MigrationStreamReader(input(frame)).next();
    }

    // ------------------------------------------------------------ ADVISE

    @Test
    void adviseCarriesHostAndTargetPageSizes() throws IOException {
        Command c = new PostcopyAdvise(4096, 4096).toCommand();
        byte[] golden = hex("08 0003 0010 0000000000001000 0000000000001000");
        assertThat(framed(w -> w.command(c))).containsExactly(golden);
        assertThat(PostcopyAdvise.of(read(golden), 0)).isEqualTo(new PostcopyAdvise(4096, 4096));
        PostcopyAdvise huge = new PostcopyAdvise(4096 | (2 << 20), 4096);
        assertThat(PostcopyAdvise.of(read(framed(w -> w.command(huge.toCommand()))), 0)).isEqualTo(huge);
    }

    @Test
    void adviseWithoutRamIsEmpty() throws IOException {
        byte[] golden = hex("08 0003 0000");
        assertThat(framed(w -> w.command(PostcopyAdvise.empty()))).containsExactly(golden);
        assertThat(PostcopyAdvise.of(read(golden), 0)).isNull();
    }

    @Test
    void refusesAdviseOfAnyOtherLength() throws IOException {
        Command c = read(hex("08 0003 0008 0000000000001000"));
        assertRefused(() -> PostcopyAdvise.of(c, 40), StreamFormatException.class, 40,
                "CMD_POSTCOPY_ADVISE invalid length (8); expected 0 or 16");
    }

    // ------------------------------------------------------------ LISTEN, RUN, RESUME

    @Test
    void listenRunAndResumeHaveNoPayload() throws IOException {
        assertThat(framed(w -> w.command(Command.postcopyListen()))).containsExactly(hex("08 0004 0000"));
        assertThat(framed(w -> w.command(Command.postcopyRun()))).containsExactly(hex("08 0005 0000"));
        assertThat(framed(w -> w.command(Command.postcopyResume()))).containsExactly(hex("08 0009 0000"));
        assertThat(read(hex("08 0005 0000"))).isEqualTo(Command.postcopyRun());
    }

    @Test
    void refusesRunWithAPayload() {
        assertRefused(() -> read(hex("08 0005 0001 00")), StreamFormatException.class, 0,
                "command POSTCOPY_RUN has length 1; expected 0");
    }

    // ------------------------------------------------------------ RAM_DISCARD

    static final String DISCARD = "08 0006 0029 | 00 | 06 70632e72616d | 00"
            + " | 0000000000000000 0000000000002000 | 0000000000010000 0000000000001000";

    @Test
    void discardIsVersionNameNulAndRanges() throws IOException {
        RamDiscard d = new RamDiscard("pc.ram", List.of(new RamDiscard.Range(0, 0x2000),
                new RamDiscard.Range(0x10000, 0x1000)));
        assertThat(framed(w -> w.command(d.toCommand()))).containsExactly(hex(DISCARD));
        assertThat(RamDiscard.of(read(hex(DISCARD)), 0)).isEqualTo(d);
    }

    @Test
    void discardsAreBatchedTwelveRangesToACommand() throws IOException {
        List<RamDiscard.Range> ranges = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            ranges.add(new RamDiscard.Range(i * 0x3000L, 0x1000));
        }
        List<Command> commands = RamDiscard.commands("pc.ram", ranges);
        assertThat(commands).hasSize(3);
        List<RamDiscard.Range> back = new ArrayList<>();
        for (Command c : commands) {
            RamDiscard d = RamDiscard.of(read(framed(w -> w.command(c))), 0);
            assertThat(d.block()).isEqualTo("pc.ram");
            assertThat(d.ranges()).hasSizeLessThanOrEqualTo(StreamConstants.MAX_DISCARDS_PER_COMMAND);
            back.addAll(d.ranges());
        }
        assertThat(back).isEqualTo(ranges);
    }

    @Test
    void refusesDiscardTooShortForARange() throws IOException {
        Command c = read(hex("08 0006 000e 00 03 72616d 00 0000000000000000"));
        assertRefused(() -> RamDiscard.of(c, 7), StreamFormatException.class, 7,
                "CMD_POSTCOPY_RAM_DISCARD invalid length (14)");
    }

    @Test
    void refusesDiscardOfAnotherVersion() throws IOException {
        Command c = read(hex("08 0006 0014 01 01 72 00 0000000000000000 0000000000001000"));
        assertRefused(() -> RamDiscard.of(c, 0), StreamFormatException.class, 0,
                "CMD_POSTCOPY_RAM_DISCARD invalid version (1); expected 0");
    }

    @Test
    void refusesDiscardWhoseNameRunsPastThePayload() throws IOException {
        Command c = read(hex("08 0006 0014 00 ff 72 00 0000000000000000 0000000000001000"));
        assertRefused(() -> RamDiscard.of(c, 0), StreamFormatException.class, 0,
                "CMD_POSTCOPY_RAM_DISCARD Failed to read RAMBlock ID (length 255 in a payload of 20 bytes)");
    }

    @Test
    void refusesDiscardWithoutTheNulAfterTheName() throws IOException {
        Command c = read(hex("08 0006 0014 00 01 72 2e 0000000000000000 0000000000001000"));
        assertRefused(() -> RamDiscard.of(c, 0), StreamFormatException.class, 0,
                "CMD_POSTCOPY_RAM_DISCARD missing nil (46)");
    }

    @Test
    void refusesDiscardWithAPartialRange() throws IOException {
        Command c = read(hex("08 0006 0018 00 01 72 00 0000000000000000 0000000000001000 00000000"));
        assertRefused(() -> RamDiscard.of(c, 0), StreamFormatException.class, 0,
                "CMD_POSTCOPY_RAM_DISCARD invalid length (20 bytes of ranges)");
    }

    @Test
    void refusesDiscardRangesThatAreNotRangesOfBytes() throws IOException {
        for (String range : List.of("8000000000000000 0000000000001000", "0000000000000000 0000000000000000",
                "7ffffffffffff000 0000000000002000")) {
            Command c = read(hex("08 0006 0014 00 01 72 00 " + range));
            assertRefused(() -> RamDiscard.of(c, 0), StreamFormatException.class, 0, "is not a range of bytes");
        }
    }

    @Test
    void aDiscardNamesABlockAndHoldsAtLeastOneRange() {
        assertThatIllegalArgumentException().isThrownBy(() -> new RamDiscard("pc.ram", List.of()));
        assertThatIllegalArgumentException().isThrownBy(() -> new RamDiscard("", List.of(new RamDiscard.Range(0, 1))));
    }

    // ------------------------------------------------------------ PACKAGED

    @Test
    void packageFollowsItsCommand() throws IOException {
        byte[] golden = hex("08 0007 0004 00000005 0102030405 00");
        assertThat(framed(w -> {
            w.packaged(hex("0102030405"));
            w.eof();
        })).containsExactly(golden);
        MigrationStreamReader r = new MigrationStreamReader(input(golden));
        Command c = (Command) r.next();
        assertThat(c).isEqualTo(Command.packaged(5));
        assertThat(r.readPackage(c, 0)).containsExactly(hex("0102030405"));
        assertThat(r.next()).isEqualTo(StreamRecord.EOF);
    }

    @Test
    void anEmptyPackageIsAPackage() throws IOException {
        MigrationStreamReader r = new MigrationStreamReader(input(framed(w -> w.packaged(new byte[0]))));
        assertThat(r.readPackage((Command) r.next(), 0)).isEmpty();
    }

    @Test
    void refusesPackageOver16MiB() throws IOException {
        MigrationStreamReader r = new MigrationStreamReader(input(hex("08 0007 0004 01000001")));
        Command c = (Command) r.next();
        assertRefused(() -> r.readPackage(c, 0), StreamFormatException.class, 0,
                "Unreasonably large packaged state: 16777217 bytes; expected at most 16777216");
        MigrationStreamReader r2 = new MigrationStreamReader(input(hex("08 0007 0004 ffffffff")));
        Command c2 = (Command) r2.next();
        assertRefused(() -> r2.readPackage(c2, 0), StreamFormatException.class, 0, "4294967295 bytes");
    }

    @Test
    void refusesTruncatedPackage() throws IOException {
        MigrationStreamReader r = new MigrationStreamReader(input(hex("08 0007 0004 00000010 0102")));
        Command c = (Command) r.next();
        assertRefused(() -> r.readPackage(c, 0), TruncatedStreamException.class, 11, "14 more bytes");
    }

    @Test
    void refusesToWriteAPackageOver16MiB() {
        org.assertj.core.api.Assertions.assertThatIOException()
                .isThrownBy(() -> framed(w -> w.packaged(new byte[StreamConstants.MAX_PACKAGED_SIZE + 1])))
                .withMessageContaining("Unreasonably large packaged state");
    }

    // ------------------------------------------------------------ RECV_BITMAP

    @Test
    void recvBitmapNamesTheBlock() throws IOException {
        byte[] golden = hex("08 000a 0007 06 70632e72616d");
        assertThat(framed(w -> w.command(new RecvBitmap("pc.ram").toCommand()))).containsExactly(golden);
        assertThat(RecvBitmap.of(read(golden), 0)).isEqualTo(new RecvBitmap("pc.ram"));
    }

    @Test
    void refusesRecvBitmapWhoseNameDoesNotFillThePayload() throws IOException {
        Command longer = read(hex("08 000a 0005 03 72616d 00"));
        assertRefused(() -> RecvBitmap.of(longer, 3), StreamFormatException.class, 3,
                "RECV_BITMAP: length mismatch: name of 3 bytes in a payload of 5 bytes");
        Command empty = read(hex("08 000a 0000"));
        assertRefused(() -> RecvBitmap.of(empty, 0), StreamFormatException.class, 0,
                "RECV_BITMAP: failed to read block name");
    }
}

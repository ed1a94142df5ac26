package io.godwit.ram;

import static io.godwit.stream.Bytes.ascii;
import static io.godwit.stream.Bytes.be64;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Refusal.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.options.Capabilities;
import io.godwit.savevm.LoadContext;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.TruncatedStreamException;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RAM payloads the destination refuses (ram.c ram_load_precopy rules), with offsets in the payload. */
class RamLoadRefusalTest {
    static final byte[] PC_RAM = concat(hex("06"), ascii("pc.ram")); // 7 bytes
    static final byte[] EOS = hex("00000000 00000010");

    final RamBlock block = new RamBlock("pc.ram", 2 * 4096, false);
    final RamHandler dest = new RamHandler(() -> List.of(block));

    @AfterEach
    void close() {
        block.close();
    }

    private org.assertj.core.api.ThrowableAssert.ThrowingCallable loading(byte[] payload, int version) {
        return () -> {
            LoadContext ctx = new LoadContext(Bytes.chopped(payload, 3), Capabilities.defaults(), () -> {});
            dest.loadSetup(ctx);
            dest.loadState(ctx, version);
        };
    }

    private org.assertj.core.api.ThrowableAssert.ThrowingCallable loading(byte[] payload) {
        return loading(payload, 4);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5})
    void refusesSectionVersionOtherThan4(int version) {
        assertRefused(loading(EOS, version), StreamFormatException.class, 0,
                "ram section version " + version + "; expected 4");
    }

    @Test
    void refusesPageForUnknownBlock() {
        byte[] payload = concat(hex("00000000 00000008 04"), ascii("nope"), new byte[4096], EOS);
        assertRefused(loading(payload), StreamFormatException.class, 0,
                "unknown RAM block 'nope': expected one of [pc.ram]");
    }

    @Test
    void refusesUnknownBlockInTheBlockList() {
        byte[] payload = concat(hex("00000000 00002004 04"), ascii("nope"), be64(0x2000), EOS);
        assertRefused(loading(payload), StreamFormatException.class, 8,
                "unknown RAM block 'nope' (8192 bytes) on the source: expected one of [pc.ram]");
    }

    @Test
    void refusesBlockWhoseLengthDiffersFromOurs() {
        byte[] payload = concat(hex("00000000 00003004"), PC_RAM, be64(0x3000), EOS);
        assertRefused(loading(payload), StreamFormatException.class, 8,
                "RAM block 'pc.ram' has 12288 bytes on the source; expected 8192 as here");
    }

    @Test
    void refusesBlockListAddingUpToMoreThanItsTotal() {
        byte[] payload = concat(hex("00000000 00001004"), PC_RAM, be64(0x2000), EOS);
        assertRefused(loading(payload), StreamFormatException.class, 23,
                "RAM block list adds up to more than its total 4096");
    }

    @Test
    void refusesOffsetBeyondTheBlock() {
        byte[] payload = concat(hex("00000000 00002008"), PC_RAM, new byte[4096], EOS);
        assertRefused(loading(payload), StreamFormatException.class, 0,
                "RAM offset 0x2000 beyond block 'pc.ram' of 8192 bytes");
    }

    @Test
    void refusesOffsetBeyondTheBlockInALaterRecord() {
        // a valid ZERO record takes 8 + 7 + 1 bytes; the next record starts at 16
        byte[] payload = concat(hex("00000000 00000002"), PC_RAM, hex("00"), hex("00000000 00004022 00"), EOS);
        assertRefused(loading(payload), StreamFormatException.class, 16,
                "RAM offset 0x4000 beyond block 'pc.ram' of 8192 bytes");
    }

    /** An offset with bit 63 set is negative as a long: it must be refused, not used as an index. */
    @Test
    void refusesPageAtAnOffsetWithTheTopBitSet() {
        byte[] payload = concat(hex("ffffffff fffff008"), PC_RAM, new byte[4096], EOS);
        assertRefused(loading(payload), StreamFormatException.class, 0,
                "RAM offset 0xfffffffffffff000 beyond block 'pc.ram' of 8192 bytes");
    }

    @Test
    void refusesZeroPageAtAnOffsetWithTheTopBitSetAfterAValidRecord() {
        byte[] payload = concat(hex("00000000 00000002"), PC_RAM, hex("00"), hex("80000000 00000022 00"), EOS);
        assertRefused(loading(payload), StreamFormatException.class, 16,
                "RAM offset 0x8000000000000000 beyond block 'pc.ram' of 8192 bytes");
    }

    @Test
    void refusesContinueWhenNoBlockWasNamedBefore() {
        byte[] payload = concat(hex("00000000 00000028"), new byte[4096], EOS);
        assertRefused(loading(payload), StreamFormatException.class, 0,
                "RAM record continues a block but no block was named before");
    }

    @Test
    void refusesZeroPageWithNonZeroFillByte() {
        byte[] payload = concat(hex("00000000 00001002"), PC_RAM, hex("01"), EOS);
        assertRefused(loading(payload), StreamFormatException.class, 0, "zero page with fill byte 1; expected 0");
    }

    @ParameterizedTest
    @ValueSource(longs = {0x01, 0x80, 0x100, 0x400, 0x800})
    void refusesUnknownFlags(long flag) {
        byte[] payload = concat(be64(flag), EOS);
        assertRefused(loading(payload), StreamFormatException.class, 0,
                String.format("unsupported RAM flags 0x%x; expected ZERO, PAGE, XBZRLE, MEM_SIZE or EOS", flag));
    }

    @Test
    void refusesUnknownFlagAlongsideKnownOnes() {
        byte[] payload = concat(hex("00000000 00001088"), PC_RAM, new byte[4096], EOS);
        assertRefused(loading(payload), StreamFormatException.class, 0, "unsupported RAM flags 0x80");
    }

    @Test
    void refusesARecordThatIsBothXbzrleAndPage() {
        byte[] payload = concat(hex("00000000 00001048"), PC_RAM, new byte[4096], EOS);
        assertRefused(loading(payload), StreamFormatException.class, 0,
                "unknown combination of RAM flags 0x48; expected one kind of record");
    }

    @Test
    void refusesRecordThatIsBothZeroAndPage() {
        byte[] payload = concat(hex("00000000 0000000a"), PC_RAM, hex("00"), EOS);
        assertRefused(loading(payload), StreamFormatException.class, 0, "unknown combination of RAM flags 0xa");
    }

    @Test
    void refusesTruncatedPage() {
        byte[] payload = concat(hex("00000000 00000008"), PC_RAM, new byte[100]);
        assertRefused(loading(payload), TruncatedStreamException.class, 115, "expected 3996 more bytes of data");
    }

    @Test
    void refusesSectionThatEndsWithoutEos() {
        byte[] payload = concat(hex("00000000 00000002"), PC_RAM, hex("00"), hex("0000"));
        assertRefused(loading(payload), TruncatedStreamException.class, 16, "expected 8 bytes");
    }

    @Test
    void refusesTruncatedBlockName() {
        byte[] payload = hex("00000000 00000008 06 7063");
        assertRefused(loading(payload), TruncatedStreamException.class, 11, "expected 4 more bytes of a 6-byte field");
    }

    @Test
    void acceptsMultifdFlushAsANoOp() throws IOException {
        byte[] payload = concat(hex("00000000 00000200"), hex("00000000 00000008"), PC_RAM, new byte[4096], EOS);
        org.assertj.core.api.Assertions.assertThatCode(loading(payload)).doesNotThrowAnyException();
        assertThat(block.mayBeNonZero(0)).isTrue();
    }
}

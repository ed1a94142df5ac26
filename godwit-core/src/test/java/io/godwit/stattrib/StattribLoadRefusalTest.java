package io.godwit.stattrib;

import static io.godwit.stream.Bytes.be64;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Refusal.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.options.Capabilities;
import io.godwit.ram.RamBlock;
import io.godwit.savevm.LoadContext;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.TruncatedStreamException;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Storage-attribute payloads the destination refuses (s390-stattrib.c cmma_load rules), with the
 * offset of the record at fault; a refused record loads none of its states.
 */
class StattribLoadRefusalTest {
    static final byte[] EOS = hex("00000000 00000001");
    /** A good record first, so that offsets of refused records are not 0: pages 0..1 VOLATILE. */
    static final byte[] FIRST = hex("00000000 00000002 00000000 00000002 02 02"); // 18 bytes

    final RamBlock block = new RamBlock("ram", 8 * 4096, false);
    StorageAttributes attrs;

    @BeforeEach
    void open() {
        attrs = new StorageAttributes(List.of(block));
        attrs.set(6, PageState.ZERO);
        attrs.set(7, PageState.ZERO);
    }

    @AfterEach
    void close() {
        block.close();
    }

    private ThrowingCallable loading(StorageAttributes into, byte[] payload) {
        return () -> new StattribMigration(() -> into).loadState(
                new LoadContext(Bytes.chopped(payload, 17), Capabilities.defaults(), () -> {}), StattribMigration.VERSION);
    }

    private ThrowingCallable loading(byte[] payload) {
        return loading(attrs, payload);
    }

    static byte[] more(long first, long count, byte[] states) {
        return concat(be64(first << 12 | 0x02), be64(count), states);
    }

    private void assertUntouchedFromPage2() {
        assertThat(attrs.get(5)).isEqualTo(PageState.STABLE);
        assertThat(attrs.get(6)).isEqualTo(PageState.ZERO);
        assertThat(attrs.get(7)).isEqualTo(PageState.ZERO);
    }

    @Test
    void loadsAGoodRecordBeforeTheRefusedOne() {
        assertRefused(loading(concat(FIRST, be64(0x04))), StreamFormatException.class, 18, "ERROR");
        assertThat(attrs.get(0)).isEqualTo(PageState.VOLATILE);
        assertThat(attrs.get(1)).isEqualTo(PageState.VOLATILE);
    }

    @Test
    void refusesPagesBeyondTheMachine() {
        byte[] payload = concat(FIRST, more(6, 3, hex("01 01 01")), EOS);
        assertRefused(loading(payload), StreamFormatException.class, 18,
                "storage attributes for pages 6 to 9; this machine has 8");
        assertUntouchedFromPage2();
    }

    @Test
    void refusesRunStartingPastTheMachine() {
        byte[] payload = concat(FIRST, more(1L << 40, 1, hex("01")), EOS);
        assertRefused(loading(payload), StreamFormatException.class, 18,
                "storage attributes for pages 1099511627776 to 1099511627777; this machine has 8");
    }

    @Test
    void refusesRunLongerThan512KiB() {
        byte[] payload = concat(FIRST, be64(0x02), be64((512 << 10) + 1), EOS);
        assertRefused(loading(payload), StreamFormatException.class, 18, "storage attributes for pages 0 to 524289");
    }

    @Test
    void refusesNegativeCount() {
        byte[] payload = concat(FIRST, be64(0x02), be64(-1), EOS);
        assertRefused(loading(payload), StreamFormatException.class, 18, "storage attributes for pages 0 to -1");
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 5, 0x7f})
    void refusesStateAbove3LoadingNoneOfTheRecord(int value) {
        byte[] payload = concat(FIRST, more(5, 3, new byte[] {1, 1, (byte) value}), EOS);
        assertRefused(loading(payload), StreamFormatException.class, 18,
                "storage attribute " + value + " for page 7; expected 0 to 3");
        assertUntouchedFromPage2();
    }

    @Test
    void refusesStateWithTheHighBitSet() {
        byte[] payload = concat(FIRST, more(5, 3, new byte[] {(byte) 0x80, 1, 1}), EOS);
        assertRefused(loading(payload), StreamFormatException.class, 18,
                "storage attribute 128 for page 5; expected 0 to 3");
        assertUntouchedFromPage2();
    }

    @Test
    void refusesErrorFromTheSource() {
        assertRefused(loading(concat(FIRST, be64(0x04), EOS)), StreamFormatException.class, 18,
                "storage attributes data is incomplete (ERROR from the source)");
    }

    @ParameterizedTest
    @ValueSource(longs = {0x00, 0x03, 0x05, 0x06, 0x0a, 0x10, 0x800, 0x5010})
    void refusesUnknownFlags(long word) {
        assertRefused(loading(concat(FIRST, be64(word), EOS)), StreamFormatException.class, 18,
                String.format("unexpected storage attribute flags 0x%x", word & 0xfff));
    }

    @Test
    void refusesStatesForAMachineWithoutAttributes() {
        assertRefused(loading(null, concat(more(0, 1, hex("01")), EOS)), StreamFormatException.class, 0,
                "storage attributes for a machine that has none here");
    }

    @Test
    void refusesRecordCutShortLoadingNoneOfIt() {
        byte[] payload = concat(FIRST, more(5, 3, hex("01 01")));
        assertRefused(loading(payload), TruncatedStreamException.class, 18 + 16 + 2,
                "expected 1 more bytes of a 3-byte field");
        assertUntouchedFromPage2();
    }

    @Test
    void refusesSectionWithoutEos() {
        assertRefused(loading(FIRST), TruncatedStreamException.class, 18, "expected 8 bytes, stream ended");
    }

    @Test
    void acceptsDoneAndEmptyRunsBeforeEos() throws Throwable {
        loading(concat(hex("00000000 00000008"), more(8, 0, new byte[0]), FIRST, hex("00000000 00000008"), EOS))
                .call();
        assertThat(attrs.get(1)).isEqualTo(PageState.VOLATILE);
    }
}

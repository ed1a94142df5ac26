package io.godwit.ram;

import static io.godwit.stream.Bytes.ascii;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.godwit.options.Capabilities;
import io.godwit.savevm.LoadContext;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.TruncatedStreamException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The destination's postcopy-preempt channel (ram.c ram_load_postcopy on RAM_CHANNEL_POSTCOPY):
 * plain page records, no section around them, with a CONTINUE state of their own, until EOS; every
 * record is checked as on the main stream, and records other than pages are refused.
 */
class RamPreemptLoadTest {
    static final byte[] PC_RAM = concat(hex("06"), ascii("pc.ram"));
    static final byte[] EOS = hex("00000000 00000010");

    final RamBlock block = new RamBlock("pc.ram", 4 * 4096, false);
    final RamHandler dest = new RamHandler(() -> List.of(block));

    @BeforeEach
    void setUp() {
        dest.loadSetup(new LoadContext(Bytes.chopped(EOS, 1), Capabilities.defaults(), () -> {}));
    }

    @AfterEach
    void close() {
        block.close();
    }

    private void load(byte[] channel) throws Exception {
        dest.loadPreempt(Bytes.chopped(channel, 7));
    }

    @Test
    void placesPagesAndZeroPagesUntilEosAndCountsThem() throws Exception {
        byte[] page = new byte[4096];
        Arrays.fill(page, (byte) 0x5a);
        block.segment().asSlice(3 * 4096, 4096).fill((byte) 1);
        block.setPopulated(3);
        // PAGE at 0x2000 naming the block, then a ZERO at 0x3000 that CONTINUEs it
        load(concat(hex("00000000 00002008"), PC_RAM, page, hex("00000000 00003022 00"), EOS));

        assertThat(block.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0x2000)).isEqualTo((byte) 0x5a);
        assertThat(block.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0x2fff)).isEqualTo((byte) 0x5a);
        assertThat(block.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0x3000)).isZero();
        assertThat(dest.preemptPagesLoaded()).isEqualTo(2);
    }

    @Test
    void refusesAPageOfAnUnknownBlock() {
        assertThatThrownBy(() -> load(concat(hex("00000000 00000008 04"), ascii("nope"), new byte[4096], EOS)))
                .isInstanceOf(StreamFormatException.class).hasMessageContaining("unknown RAM block 'nope'");
    }

    @Test
    void refusesAnOffsetBeyondTheBlock() {
        assertThatThrownBy(() -> load(concat(hex("00000000 00004008"), PC_RAM, new byte[4096], EOS)))
                .isInstanceOf(StreamFormatException.class).hasMessageContaining("beyond block 'pc.ram'");
    }

    @Test
    void refusesAContinueBeforeAnyBlockWasNamedOnThisChannel() {
        assertThatThrownBy(() -> load(concat(hex("00000000 00000028"), new byte[4096], EOS)))
                .isInstanceOf(StreamFormatException.class).hasMessageContaining("no block was named before");
    }

    @Test
    void refusesARecordThatIsNotAPage() {
        // MEM_SIZE (the block list) belongs to the main stream's setup section
        assertThatThrownBy(() -> load(concat(hex("00000000 00004004"), PC_RAM, hex("00000000 00004000"), EOS)))
                .isInstanceOf(StreamFormatException.class).hasMessageContaining("preempt channel");
    }

    @Test
    void aChannelCutShortIsABrokenLinkNotARefusal() {
        assertThatThrownBy(() -> load(concat(hex("00000000 00002008"), PC_RAM, new byte[100])))
                .isInstanceOf(TruncatedStreamException.class);
    }
}

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
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Device sections of a foreign machine kept as received: QEMU sends them without a length, so
 * they end where their footer is followed by the start of a record, and not at look-alikes.
 */
class RawSectionTest {
    static final byte[] HEADER = hex("5145564d 00000003");
    // timer's payload holds a false footer of its own id followed by a FULL type and a
    // non-printable "idstr", then a false footer of another id.
    static final byte[] TIMER_PAYLOAD = hex("00000001 2a3b7521 | 7e 00000005 04 00000006 02 0102 | 7e 00000009 04 0000");
    static final byte[] TIMER = concat(hex("04 00000005"), Bytes.str8("timer"), hex("00000000 00000002"),
            TIMER_PAYLOAD, hex("7e 00000005"));
    // serial's payload has a subsection, as QEMU writes them
    static final byte[] SERIAL_PAYLOAD = concat(hex("0001 00 7e"), hex("05"), Bytes.str8("serial/fifo"),
            hex("00000001 00ff"));
    static final byte[] SERIAL = concat(hex("04 00000013"), Bytes.str8("serial"), hex("00000000 00000003"),
            SERIAL_PAYLOAD, hex("7e 00000013"));
    static final String JSON = "{\"page_size\": 4096, \"devices\": []}";
    static final byte[] TRAILER = concat(hex("00 06"), Bytes.be32(JSON.length()), ascii(JSON));

    final HandlerRegistry registry = new HandlerRegistry();

    StateLoader loader(StreamInput in) {
        return new StateLoader(registry, new MigrationStreamReader(in),
                new LoadContext(in, Capabilities.defaults(), () -> {}), (c, offset) -> {}, null)
                .adoptUnknownSections(h -> registry.register(h.idstr(), h.instanceId(), h.versionId(),
                        HandlerRegistry.PRIORITY_DEFAULT, new RawSection(h.idstr(), h.instanceId(), h.versionId())));
    }

    List<RawSection> raw() {
        return registry.entries().stream().map(SaveStateEntry::handler).map(RawSection.class::cast).toList();
    }

    @Test
    void keepsEachSectionExactlyAsReceivedWhateverTheBufferSizes() throws IOException {
        byte[] stream = concat(HEADER, TIMER, SERIAL, TRAILER);
        for (long seed = 0; seed < 40; seed++) {
            registry.entries().forEach(registry::unregister);
            StateLoader.Result r = loader(Bytes.chopped(stream, seed)).load();
            assertThat(r.sections()).isEqualTo(2);
            assertThat(r.vmDescription()).isEqualTo(JSON);
            List<RawSection> raw = raw();
            assertThat(raw).extracting(RawSection::idstr).containsExactly("timer", "serial");
            assertThat(raw).extracting(RawSection::versionId).containsExactly(2, 3);
            assertThat(raw.get(0).state()).as("seed %d", seed).isEqualTo(TIMER_PAYLOAD);
            assertThat(raw.get(1).state()).isEqualTo(SERIAL_PAYLOAD);
        }
    }

    @Test
    void lastSectionEndsAtEofEvenWithoutATrailer() throws IOException {
        loader(Bytes.input(concat(HEADER, SERIAL, hex("00")))).load();
        assertThat(raw().get(0).state()).isEqualTo(SERIAL_PAYLOAD);
    }

    @Test
    void footerFollowedByEofAndSomethingElseIsNotTheEnd() throws IOException {
        // in one buffer the byte after a false EOF is visible, and it is no trailer
        byte[] payload = hex("11 7e 00000013 00 42 22");
        byte[] section = concat(hex("04 00000013"), Bytes.str8("serial"), hex("00000000 00000003"), payload,
                hex("7e 00000013"));
        loader(Bytes.input(concat(HEADER, section, TRAILER))).load();
        assertThat(raw().get(0).state()).isEqualTo(payload);
    }

    @Test
    void savesTheBytesItLoaded() throws IOException {
        loader(Bytes.input(concat(HEADER, TIMER, hex("00")))).load();
        RawSection timer = raw().get(0);
        byte[] saved = Bytes.written(out -> timer.saveState(new SaveContext(out, io.godwit.clock.Clock.system(),
                Capabilities.defaults(), new io.godwit.stats.MigrationCounters(), () -> false)));
        assertThat(saved).isEqualTo(TIMER_PAYLOAD);
    }

    @Test
    void truncatedSectionIsRefusedWithTheOffset() {
        byte[] cut = concat(HEADER, java.util.Arrays.copyOf(SERIAL, SERIAL.length - 3));
        assertRefused(loader(Bytes.chopped(cut, 1))::load, TruncatedStreamException.class, cut.length,
                "3 more bytes of the footer of 'serial'");
    }

    @Test
    void unknownLiveSectionIsStillRefused() {
        byte[] start = concat(hex("01 00000002"), Bytes.str8("block"), hex("00000000 00000001"));
        assertRefused(loader(Bytes.input(concat(HEADER, start)))::load, StreamFormatException.class, 8,
                "unknown section 'block' instance 0");
    }
}

package io.godwit.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.godwit.savevm.RawSection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrailerCheckTest {
    // timer: a be64 and a be32; serial: one byte, then subsection "serial/fifo" v1 with two bytes
    private static final String TRAILER = """
            {"page_size": 4096, "devices": [
              {"name": "timer", "instance_id": 0, "vmsd_name": "timer", "version": 2,
               "fields": [{"name": "ticks", "type": "int64", "size": 8}, {"name": "div", "type": "int32", "size": 4}]},
              {"name": "serial", "instance_id": 1, "vmsd_name": "serial", "version": 3,
               "fields": [{"name": "lcr", "type": "uint8", "size": 1}],
               "subsections": [{"vmsd_name": "serial/fifo", "version": 1,
                 "fields": [{"name": "fifo", "type": "buffer", "size": 2}]}]}]}
            """;

    private final List<String> warnings = new ArrayList<>();
    private final RawSection.Check check = TrailerCheck.forRelay(warnings::add);

    private static byte[] serial() {
        byte[] name = "serial/fifo".getBytes();
        byte[] b = new byte[1 + 1 + 1 + name.length + 4 + 2];
        b[0] = 7;
        b[1] = 0x05;
        b[2] = (byte) name.length;
        System.arraycopy(name, 0, b, 3, name.length);
        b[3 + name.length + 3] = 1;
        return b;
    }

    @Test
    void sectionsTheTrailerWalksExactlyPassAndKeepTheirDescriptions() throws Exception {
        RawSection timer = RawSection.of("timer", 0, 2, new byte[12]);
        RawSection serial = RawSection.of("serial", 1, 3, serial());

        check.check(TRAILER, List.of(timer, serial));

        ObjectMapper m = new ObjectMapper();
        assertThat(m.readTree(timer.description())).isEqualTo(m.readTree(TRAILER).path("devices").get(0));
        assertThat(m.readTree(serial.description()).path("subsections").get(0).path("vmsd_name").asText())
                .isEqualTo("serial/fifo");
        assertThat(warnings).isEmpty();
    }

    @Test
    void aSectionSplitTooLateIsRefusedWithItsSizes() {
        RawSection timer = RawSection.of("timer", 0, 2, new byte[13]);

        assertThatThrownBy(() -> check.check(TRAILER, List.of(timer))).isInstanceOf(IOException.class)
                .hasMessage("device section 'timer' instance 0 holds 13 bytes but the source's trailer describes 12");
        assertThat(timer.description()).isNull();
    }

    @Test
    void aSectionSplitTooEarlyIsRefusedWithTheFieldItLacks() {
        byte[] cut = java.util.Arrays.copyOf(serial(), serial().length - 1);

        assertThatThrownBy(() -> check.check(TRAILER, List.of(RawSection.of("serial", 1, 3, cut))))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("device section 'serial' instance 1 does not match the source's trailer: ")
                .hasMessageContaining("fifo");
    }

    @Test
    void aSectionTheTrailerDoesNotDescribeIsRefused() {
        assertThatThrownBy(() -> check.check(TRAILER, List.of(RawSection.of("timer", 1, 2, new byte[12]))))
                .hasMessage("device section 'timer' instance 1 is not described by the source's trailer");
    }

    @Test
    void aBrokenTrailerIsRefused() {
        assertThatThrownBy(() -> check.check("{\"devices\": 3}", List.of(RawSection.of("timer", 0, 2, new byte[12]))))
                .hasMessageStartingWith("the source's trailer is unusable: ");
    }

    @Test
    void noTrailerLeavesTheSectionsUnconfirmedWithAWarning() throws Exception {
        check.check(null, List.of(RawSection.of("timer", 0, 2, new byte[12])));

        assertThat(warnings).containsExactly(
                "the source sent no VMDESCRIPTION trailer: 1 device sections are kept as split at their footers, unconfirmed");
    }
}

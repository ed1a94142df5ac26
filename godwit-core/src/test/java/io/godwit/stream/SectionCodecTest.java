package io.godwit.stream;

import static io.godwit.stream.Bytes.ascii;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.framed;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Bytes.input;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Section headers and footers (savevm.c save_section_header / save_section_footer): START and FULL
 * are type, be32 section id, u8 length + idstr, be32 instance id, be32 version id; PART and END are
 * type and be32 section id; the footer is 0x7e and be32 section id.
 */
class SectionCodecTest {
    static final byte[] START = concat(hex("01 | 00 00 00 02 | 03"), ascii("ram"), hex("00 00 00 00 | 00 00 00 04"));
    static final byte[] FULL = concat(hex("04 | 00 00 01 07 | 0e"), ascii("0000:00:02.0/x"),
            hex("00 00 00 05 | 00 00 00 02"));
    static final byte[] PART = hex("02 | 00 00 00 02");
    static final byte[] END = hex("03 | 00 00 00 02");
    static final byte[] FOOTER = hex("7e | 00 00 00 02");

    @Test
    void writesStart() throws IOException {
        assertThat(framed(w -> w.write(SectionHeader.start(2, "ram", 0, 4)))).containsExactly(START);
    }

    @Test
    void writesFull() throws IOException {
        assertThat(framed(w -> w.write(SectionHeader.full(0x107, "0000:00:02.0/x", 5, 2)))).containsExactly(FULL);
    }

    @Test
    void writesPartAndEndWithOnlyTheSectionId() throws IOException {
        assertThat(framed(w -> w.write(SectionHeader.part(2)))).containsExactly(PART);
        assertThat(framed(w -> w.write(SectionHeader.end(2)))).containsExactly(END);
    }

    @Test
    void writesFooter() throws IOException {
        assertThat(framed(w -> w.write(new SectionFooter(2)))).containsExactly(FOOTER);
        assertThat(framed(w -> w.footer(2))).containsExactly(FOOTER);
    }

    @Test
    void readsHandWrittenSections() throws IOException {
        List<StreamRecord> read = readAll(concat(START, FOOTER, PART, FOOTER, END, FOOTER, FULL));
        assertThat(read).containsExactly(
                SectionHeader.start(2, "ram", 0, 4), new SectionFooter(2),
                SectionHeader.part(2), new SectionFooter(2),
                SectionHeader.end(2), new SectionFooter(2),
                SectionHeader.full(0x107, "0000:00:02.0/x", 5, 2));
    }

    @Test
    void readFooterAcceptsTheMatchingId() throws IOException {
        StreamInput in = input(FOOTER);
        new MigrationStreamReader(in).readFooter(2, "ram");
        assertThat(in.position()).isEqualTo(5);
    }

    @Test
    void roundTripsSectionsWithExtremeValues() throws IOException {
        String longest = "d".repeat(255);
        List<StreamRecord> records = List.of(
                SectionHeader.start(0, "a", 0, 0),
                SectionHeader.start(-1, longest, -1, Integer.MAX_VALUE),
                SectionHeader.full(Integer.MIN_VALUE, "", 7, 1),
                SectionHeader.part(-1), SectionHeader.end(0x7fffffff),
                new SectionFooter(-1), new SectionFooter(0));
        byte[] bytes = framed(w -> {
            for (StreamRecord r : records) {
                w.write(r);
            }
        });
        assertThat(readAll(bytes)).isEqualTo(records);
    }

    static List<StreamRecord> readAll(byte[] bytes) throws IOException {
        MigrationStreamReader r = new MigrationStreamReader(input(bytes));
        List<StreamRecord> out = new ArrayList<>();
        for (StreamRecord rec; (rec = r.next()) != null; ) {
            out.add(rec);
        }
        return out;
    }
}

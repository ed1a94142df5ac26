package io.godwit.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.godwit.stream.StreamFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every input inspect refuses is refused with what was expected and the offset where it was not. */
class InspectRefusalTest {
    @TempDir
    Path dir;

    StreamFormatException refusal(byte[] stream) throws Exception {
        Path f = Files.write(dir.resolve("bad.bin"), stream);
        return catchThrowableOfType(StreamFormatException.class,
                () -> new StreamInspector(f, null, Progress.NONE).inspect());
    }

    @Test
    void truncationAnywhereIsRefusedAtOrBeforeTheCut() throws Exception {
        QemuLikeStream s = new QemuLikeStream();
        byte[] all = s.b.bytes();
        for (int cut = 0; cut < all.length; cut += 37) {
            StreamFormatException e = refusal(Arrays.copyOf(all, cut));

            assertThat(e).as("cut at %d", cut).isNotNull();
            assertThat(e.offset()).as("cut at %d: %s", cut, e.getMessage()).isBetween(0L, (long) cut);
            if (cut > s.cpuSection) {
                assertThat(e.offset()).as("no trailer: the first FULL section cannot be walked")
                        .isEqualTo(s.cpuSection);
                assertThat(e.reason()).contains("FULL section 'cpu'").contains("VMDESCRIPTION trailer");
            }
        }
    }

    @Test
    void truncationInsideAPageSaysWhereTheStreamEnded() throws Exception {
        QemuLikeStream s = new QemuLikeStream();
        int cut = 200; // inside the first page of the PART section

        StreamFormatException e = refusal(Arrays.copyOf(s.b.bytes(), cut));

        // the page's data starts at 128: header 8, configuration 18, START section 82, PART 5, record 15
        assertThat(e.reason()).isEqualTo("truncated: the file ends at 0xc8, expected 4024 more bytes to skip");
        assertThat(e.offset()).isEqualTo(cut);
    }

    @Test
    void wrongMagicAndVersionAreRefusedWhereTheyAre() throws Exception {
        byte[] magic = new QemuLikeStream().b.bytes();
        magic[3] = 0x4e;
        byte[] version = new QemuLikeStream().b.bytes();
        version[7] = 4;

        assertThat(refusal(magic).offset()).isZero();
        assertThat(refusal(magic).reason()).contains("expected magic 0x5145564d (QEVM), found 0x5145564e");
        assertThat(refusal(version).offset()).isEqualTo(4);
        assertThat(refusal(version).reason()).contains("unsupported stream version 4");
    }

    @Test
    void unknownSectionTypeIsRefusedAtItsByte() throws Exception {
        QemuLikeStream s = new QemuLikeStream();
        byte[] b = s.b.bytes();
        b[(int) s.cpuSection] = 0x09;

        StreamFormatException e = refusal(b);

        assertThat(e.offset()).isEqualTo(s.cpuSection);
        assertThat(e.reason()).contains("unknown section type 0x09");
    }

    @Test
    void footerOfAnotherSectionIsRefused() throws Exception {
        QemuLikeStream s = new QemuLikeStream();
        byte[] b = s.b.bytes();
        long footer = s.cpuPayloadAt + QemuLikeStream.cpuPayload().length;
        b[(int) footer + 4] = 9;

        StreamFormatException e = refusal(b);

        assertThat(e.offset()).isEqualTo(footer);
        assertThat(e.reason()).contains("section 'cpu' (id 5").contains("its description ended here")
                .contains("mismatched section id in footer for 'cpu': expected 5, found 9");
    }

    @Test
    void trailerThatDescribesMoreOrLessThanWasWrittenIsRefusedAtTheFooter() throws Exception {
        long end = new QemuLikeStream().cpuPayloadAt + QemuLikeStream.cpuPayload().length;
        String longer = QemuLikeStream.CPU.replace("\"env.pkru\", \"type\": \"uint32\", \"size\": 4",
                "\"env.pkru\", \"type\": \"uint64\", \"size\": 8");
        String shorter = QemuLikeStream.CPU.replace("\"env.pkru\", \"type\": \"uint32\", \"size\": 4",
                "\"env.pkru\", \"type\": \"uint16\", \"size\": 2");

        StreamFormatException over = refusal(new QemuLikeStream(longer, QemuLikeStream.cpuPayload()).b.bytes());
        StreamFormatException under = refusal(new QemuLikeStream(shorter, QemuLikeStream.cpuPayload()).b.bytes());

        assertThat(over.offset()).isEqualTo(end + 4);
        assertThat(over.reason()).contains("its description ended here; missing section footer for 'cpu': expected "
                + "0x7e, found 0x05");
        assertThat(under.offset()).isEqualTo(end - 2);
        assertThat(under.reason()).contains("found 0x55");
    }

    @Test
    void unknownRamFlagsAreRefusedAtTheRecord() throws Exception {
        StreamBuilder b = new StreamBuilder().header().start(1, "ram", 0, 4).ramBlocks("pc.ram", 8192L);
        long at = b.offset();
        b.be64(0x400 | 0x08).str8("pc.ram");

        StreamFormatException e = refusal(b.bytes());

        assertThat(e.offset()).isEqualTo(at);
        assertThat(e.reason()).contains("unsupported RAM flags 0x400");
    }

    @Test
    void ramRecordsOutsideTheBlockListAreRefused() throws Exception {
        StreamBuilder beyond = new StreamBuilder().header().start(1, "ram", 0, 4).ramBlocks("pc.ram", 8192L);
        long beyondAt = beyond.offset();
        beyond.ramZero("pc.ram", 8192);
        StreamBuilder unknown = new StreamBuilder().header().start(1, "ram", 0, 4).ramBlocks("pc.ram", 8192L);
        long unknownAt = unknown.offset();
        unknown.ramZero("pc.rom", 0);
        StreamBuilder cont = new StreamBuilder().header().start(1, "ram", 0, 4).ramBlocks("pc.ram", 8192L);
        long contAt = cont.offset();
        cont.ramZero(null, 0);

        assertThat(refusal(beyond.bytes()).offset()).isEqualTo(beyondAt);
        assertThat(refusal(beyond.bytes()).reason()).contains("RAM offset 0x2000 beyond block 'pc.ram' of 8192 bytes");
        assertThat(refusal(unknown.bytes()).offset()).isEqualTo(unknownAt);
        assertThat(refusal(unknown.bytes()).reason()).contains("block 'pc.rom', which the MEM_SIZE list did not name");
        assertThat(refusal(cont.bytes()).offset()).isEqualTo(contAt);
        assertThat(refusal(cont.bytes()).reason()).contains("continues a block but no block was named before");
    }

    /** A MEM_SIZE list of 2^62 bytes: its page bitmap could not be allocated (NegativeArraySizeException). */
    @Test
    void ramOverTheLimitIsRefusedAtItsBlockList() throws Exception {
        StreamBuilder b = new StreamBuilder().header().config("pc-i440fx-7.2");
        long listAt = b.offset() + 17;
        b.start(2, "ram", 0, 4).ramBlocks("pc.ram", 1L << 62).ramEos().footer(2).eof();
        StreamFormatException e = refusal(b.bytes());
        assertThat(e.offset()).isEqualTo(listAt);
        assertThat(e.reason()).isEqualTo("RAM blocks of 4611686018427387904 bytes in all; inspect reads at most "
                + "1099511627776");
    }

    /** The reader says a list adds up to more than its total after the block: inspect must not size it first. */
    @Test
    void blockLongerThanTheListsTotalIsRefusedAtTheBlock() throws Exception {
        StreamBuilder b = new StreamBuilder().header().config("pc-i440fx-7.2");
        long blockAt = b.offset() + 17 + 8;
        b.start(2, "ram", 0, 4).be64(0x1000 | 0x04).str8("pc.ram").be64(1L << 62).ramEos().footer(2).eof();
        StreamFormatException e = refusal(b.bytes());
        assertThat(e.offset()).isEqualTo(blockAt);
        assertThat(e.reason()).isEqualTo("RAM block 'pc.ram' of 4611686018427387904 bytes in the MEM_SIZE list; its "
                + "total leaves 4096");
    }

    @Test
    void liveSectionOfUnknownFormatIsRefusedWithItsName() throws Exception {
        StreamBuilder b = new StreamBuilder().header().config("pseries");
        long at = b.offset();
        b.start(3, "spapr/htab", 0, 1).be32(-1);

        StreamFormatException e = refusal(b.bytes());

        assertThat(e.offset()).isEqualTo(at);
        assertThat(e.reason()).contains("START section 'spapr/htab' (id 3, instance 0, version 1)")
                .contains("does not know its format");
    }

    @Test
    void partOfASectionThatWasNeverStartedIsRefused() throws Exception {
        StreamBuilder b = new StreamBuilder().header();
        long at = b.offset();
        b.part(4).ramEos().footer(4);

        assertThat(refusal(b.bytes()).offset()).isEqualTo(at);
        assertThat(refusal(b.bytes()).reason()).contains("PART of section id 4, which no START opened");
    }

    @Test
    void streamWithoutEofIsRefusedAtItsEnd() throws Exception {
        StreamBuilder b = new StreamBuilder().header().start(1, "ram", 0, 4).ramBlocks("pc.ram", 8192L).ramEos()
                .footer(1);

        StreamFormatException e = refusal(b.bytes());

        assertThat(e.offset()).isEqualTo(b.offset());
        assertThat(e.reason()).isEqualTo("truncated: the file ends without an EOF record (0x00)");
    }

    @Test
    void bytesAfterEofOrAfterTheTrailerAreRefused() throws Exception {
        StreamBuilder afterEof = new StreamBuilder().header().eof();
        long eofNext = afterEof.offset();
        afterEof.start(1, "ram", 0, 4);
        StreamBuilder afterTrailer = new StreamBuilder().header().eof();
        long trailerAt = afterTrailer.offset();
        afterTrailer.trailer("{\"page_size\": 4096, \"devices\": []}").u8(0);

        assertThat(refusal(afterEof.bytes()).offset()).isEqualTo(eofNext);
        assertThat(refusal(afterEof.bytes()).reason()).contains("unexpected SECTION_START section after EOF");
        assertThat(refusal(afterTrailer.bytes()).offset()).isEqualTo(trailerAt);
        assertThat(refusal(afterTrailer.bytes()).reason()).contains("1 bytes follow it");
    }

    @Test
    void invalidTrailerJsonIsRefusedWhereItBreaks() throws Exception {
        StreamBuilder b = new StreamBuilder().header().eof();
        long json = b.offset() + 5;
        b.trailer("{\"devices\": [}");

        StreamFormatException e = refusal(b.bytes());

        assertThat(e).isInstanceOf(VmStateException.class);
        assertThat(e.reason()).contains("invalid JSON");
        assertThat(e.offset()).isEqualTo(json + 13);
    }

    @Test
    void trailerWithoutDeviceFieldsIsRefusedWithItsPath() throws Exception {
        StreamBuilder b = new StreamBuilder().header().eof();
        long json = b.offset() + 5;
        b.trailer("{\"devices\": [{\"name\": \"cpu\", \"instance_id\": 0, \"fields\": [{\"name\": \"x\", "
                + "\"type\": \"uint32\"}]}]}");

        VmStateException e = (VmStateException) refusal(b.bytes());

        assertThat(e.path()).isEqualTo("trailer devices[0].fields[0]");
        assertThat(e.reason()).contains("field 'x' of type uint32 has no \"size\"");
        assertThat(e.offset()).isEqualTo(json);
    }
}

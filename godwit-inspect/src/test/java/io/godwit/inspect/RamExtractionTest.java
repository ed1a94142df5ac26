package io.godwit.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.godwit.stream.StreamFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RAM records applied in stream order: later records win, ZERO clears, XBZRLE and compressed pages decode. */
class RamExtractionTest {
    @TempDir
    Path dir;

    static byte[] deflate(byte[] page) {
        Deflater d = new Deflater();
        d.setInput(page);
        d.finish();
        byte[] out = new byte[8192];
        int n = d.deflate(out);
        d.end();
        return Arrays.copyOf(out, n);
    }

    static StreamBuilder ramStream() {
        return new StreamBuilder().header().config("pc-i440fx-7.2").start(1, "ram", 0, 4)
                .ramBlocks("pc.ram", 4 * 4096L, "/rom@etc/acpi/tables", 4096L).ramEos().footer(1).part(1);
    }

    static StreamBuilder finish(StreamBuilder b) {
        return b.ramEos().footer(1).eof().trailer("{\"page_size\": 4096, \"devices\": []}");
    }

    @Test
    void laterRecordsOverwriteEarlierOnesInTheExtractedFiles() throws Exception {
        byte[] packed = deflate(StreamBuilder.page(0x5a));
        StreamBuilder b = ramStream()
                .ramPage("pc.ram", 0, StreamBuilder.page(0x11)).ramZero(null, 0)
                .ramPage(null, 4096, StreamBuilder.page(0x22))
                .ramHeader(null, 4096, 0x40).u8(1).be16(5).raw(new byte[] {10, 3, 1, 2, 3})
                .ramHeader(null, 2 * 4096, 0x100).be32(packed.length).raw(packed)
                .ramHeader("/rom@etc/acpi/tables", 0, 0x02).u8(7);
        Path file = finish(b).write(dir.resolve("s.bin"));
        Path out = dir.resolve("out");

        InspectReport r = new StreamInspector(file, out, Progress.NONE).inspect();

        byte[] ram = Files.readAllBytes(out.resolve("pc.ram"));
        byte[] expected = new byte[4 * 4096];
        Arrays.fill(expected, 4096, 8192, (byte) 0x22);
        expected[4096 + 10] = 1;
        expected[4096 + 11] = 2;
        expected[4096 + 12] = 3;
        Arrays.fill(expected, 8192, 12288, (byte) 0x5a);
        assertThat(ram).isEqualTo(expected);
        assertThat(Files.readAllBytes(out.resolve("%2From%40etc%2Facpi%2Ftables"))).isEqualTo(StreamBuilder.page(7));
        RamBlockStats pc = r.ramBlocks().getFirst();
        assertThat(pc.normal()).isEqualTo(2);
        assertThat(pc.zero()).isEqualTo(1);
        assertThat(pc.xbzrle()).isEqualTo(1);
        assertThat(pc.compressed()).isEqualTo(1);
        assertThat(pc.distinct()).isEqualTo(3);
        assertThat(pc.file()).isEqualTo(out.resolve("pc.ram").toString());
    }

    @Test
    void extractingAgainReplacesTheOldFiles() throws Exception {
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Files.write(out.resolve("pc.ram"), new byte[64 * 4096]);
        Path file = finish(ramStream().ramPage("pc.ram", 4096, StreamBuilder.page(1))).write(dir.resolve("s.bin"));

        new StreamInspector(file, out, Progress.NONE).inspect();

        byte[] ram = Files.readAllBytes(out.resolve("pc.ram"));
        assertThat(ram).hasSize(4 * 4096);
        assertThat(Arrays.copyOfRange(ram, 4096, 8192)).isEqualTo(StreamBuilder.page(1));
    }

    @Test
    void badXbzrleAndCompressedPagesAreRefusedAtTheirRecord() throws Exception {
        StreamBuilder x = ramStream();
        long xAt = x.offset();
        x.ramHeader("pc.ram", 0, 0x40).u8(1).be16(2).raw(new byte[] {(byte) 0xff, 0x7f});
        StreamBuilder run = ramStream();
        long runAt = run.offset();
        run.ramHeader("pc.ram", 0, 0x40).u8(1).be16(4).raw(new byte[] {0, 0x7f, 1, 1});
        StreamBuilder z = ramStream();
        long zAt = z.offset();
        z.ramHeader("pc.ram", 0, 0x100).be32(3).raw(new byte[] {1, 2, 3});

        StreamFormatException bad = refusal(finish(x));
        StreamFormatException overrun = refusal(finish(run));
        StreamFormatException inflate = refusal(finish(z));

        assertThat(bad.offset()).isEqualTo(xAt);
        assertThat(bad.reason()).contains("XBZRLE page of block 'pc.ram' cannot be decoded");
        assertThat(overrun.offset()).isEqualTo(runAt);
        assertThat(overrun.reason()).contains("goes past the page or the record");
        assertThat(inflate.offset()).isEqualTo(zAt);
        assertThat(inflate.reason()).contains("compressed page of block 'pc.ram'");
    }

    private StreamFormatException refusal(StreamBuilder b) throws Exception {
        Path f = b.write(dir.resolve("bad.bin"));
        return catchThrowableOfType(StreamFormatException.class,
                () -> new StreamInspector(f, null, Progress.NONE).inspect());
    }

    /** 100 tabs make a file name of 300 characters: a refusal of the stream at the block, printable. */
    @Test
    void blockWhoseFileNameIsTooLongIsRefusedAtItsEntry() throws Exception {
        String name = "\t".repeat(100);
        StreamBuilder b = new StreamBuilder().header().config("pc-i440fx-7.2").start(1, "ram", 0, 4);
        long entryAt = b.offset() + 8;
        b.ramBlocks(name, 4096L).ramEos().footer(1).eof();
        Path f = b.write(dir.resolve("long.bin"));

        StreamFormatException e = catchThrowableOfType(StreamFormatException.class,
                () -> new StreamInspector(f, dir.resolve("ram"), Progress.NONE).inspect());

        assertThat(e.offset()).isEqualTo(entryAt);
        assertThat(e.reason()).isEqualTo("RAM block '" + "\\x09".repeat(100) + "' makes a file name of 300 "
                + "characters under --extract-ram; at most 255 fit");
    }

    @Test
    void blockNamesBecomeSafeFileNames() {
        assertThat(BlockFileNames.of("pc.ram")).isEqualTo("pc.ram");
        assertThat(BlockFileNames.of("/rom@etc/acpi/tables")).isEqualTo("%2From%40etc%2Facpi%2Ftables");
        assertThat(BlockFileNames.of("..")).isEqualTo("%2E.");
        assertThat(BlockFileNames.of(".hidden")).isEqualTo("%2Ehidden");
        assertThat(BlockFileNames.of("a%2F")).as("the escape character is escaped too").isEqualTo("a%252F");
        assertThat(BlockFileNames.of("mém")).isEqualTo("m%C3%A9m");
        assertThat(BlockFileNames.of("0000:00:02.0/vga.vram")).isEqualTo("0000%3A00%3A02.0%2Fvga.vram");
    }
}

package io.godwit.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.godwit.stream.StreamFormatException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands are listed with their values, and the configuration's capabilities and the source's
 * page size change how RAM is read.
 */
class CommandsAndOptionsTest {
    @TempDir
    Path dir;

    @Test
    void commandsAreListedWithOffsetsAndValues() throws Exception {
        StreamBuilder b = new StreamBuilder().header().config("q35");
        long rp = b.offset();
        b.command(1, new byte[0]);
        long ping = b.offset();
        b.command(2, new byte[] {0, 0, 1, 2});
        long sw = b.offset();
        b.command(11, new byte[0]);
        b.eof();

        InspectReport r = new StreamInspector(b.write(dir.resolve("c.bin")), null, Progress.NONE).inspect();

        assertThat(r.commands).containsExactly(
                new InspectReport.CommandEntry(rp, "OPEN_RETURN_PATH", 0, null, null),
                new InspectReport.CommandEntry(ping, "PING", 4, 258L, null),
                new InspectReport.CommandEntry(sw, "SWITCHOVER_START", 0, null, null));
        assertThat(r.trailerPresent()).isFalse();
        assertThat(r.eofSeen()).isTrue();
    }

    @Test
    void ignoreSharedAddsAnAddressToEachBlockInTheList() throws Exception {
        StreamBuilder b = new StreamBuilder().header().u8(0x07).be32(4).raw("q35 ".getBytes())
                .subsection("configuration/capabilities", 1).be32(1).str8("x-ignore-shared");
        b.start(1, "ram", 0, 4).be64(8192 | 0x04).str8("pc.ram").be64(8192).be64(0x100000).ramEos().footer(1);
        b.end(1).ramPage("pc.ram", 4096, StreamBuilder.page(3)).ramEos().footer(1).eof();

        InspectReport r = new StreamInspector(b.write(dir.resolve("s.bin")), null, Progress.NONE).inspect();

        assertThat(r.config.capabilities()).containsExactly("x-ignore-shared");
        assertThat(r.ramBlocks().getFirst().normal()).isEqualTo(1);
    }

    @Test
    void postcopyBlockListMayCarryPageSizes() throws Exception {
        byte[] advise = new StreamBuilder().be64(0x201000).be64(4096).bytes();
        StreamBuilder b = new StreamBuilder().header().config("q35").command(3, advise);
        b.start(1, "ram", 0, 4).be64((2L << 20) + 8192 | 0x04)
                .str8("mem-huge").be64(2L << 20).be64(2L << 20) // a huge-page block: its page size follows
                .str8("pc.ram").be64(8192).be64(2L << 20) // the last block too
                .ramEos().footer(1);
        b.end(1).ramPage("pc.ram", 0, StreamBuilder.page(1)).ramEos().footer(1).eof();

        InspectReport r = new StreamInspector(b.write(dir.resolve("s.bin")), null, Progress.NONE).inspect();

        assertThat(r.ramBlocks()).extracting(RamBlockStats::name).containsExactly("mem-huge", "pc.ram");
        assertThat(r.commands.getFirst().detail()).isEqualTo("page sizes 0x201000, target page size 0x1000");
        assertThat(r.ramBlocks().get(1).normal()).isEqualTo(1);
    }

    @Test
    void postcopyBlockListWithoutPageSizesReadsTheSame() throws Exception {
        byte[] advise = new StreamBuilder().be64(4096).be64(4096).bytes();
        StreamBuilder b = new StreamBuilder().header().config("q35").command(3, advise);
        b.start(1, "ram", 0, 4).ramBlocks("pc.ram", 8192L, "rom", 4096L).ramEos().footer(1).eof();

        InspectReport r = new StreamInspector(b.write(dir.resolve("s.bin")), null, Progress.NONE).inspect();

        assertThat(r.ramBlocks()).extracting(RamBlockStats::name).containsExactly("pc.ram", "rom");
    }

    @Test
    void aPageSizeNoTargetHasIsRefusedAtTheRamSection() throws Exception {
        StreamBuilder b = new StreamBuilder().header().config("q35");
        long ram = b.offset();
        b.start(1, "ram", 0, 4).ramBlocks("pc.ram", 8192L).ramEos().footer(1).eof()
                .trailer("{\"page_size\": 3, \"devices\": []}");

        StreamFormatException e = catchThrowableOfType(StreamFormatException.class,
                () -> new StreamInspector(b.write(dir.resolve("s.bin")), null, Progress.NONE).inspect());

        assertThat(e.offset()).isEqualTo(ram);
        assertThat(e.reason()).isEqualTo("RAM page size 3 on the source; expected a power of two from 1024 to 65536");
    }
}

package io.godwit.ram;

import static io.godwit.stream.Bytes.concat;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.options.Capabilities;
import io.godwit.savevm.LoadContext;
import io.godwit.savevm.Pending;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pages sent by one machine's RamHandler land in another machine's blocks, byte for byte. */
class RamRoundTripTest {
    final List<RamBlock> open = new ArrayList<>();

    RamBlock block(String name, int pages) {
        RamBlock b = new RamBlock(name, pages * 4096L, false);
        open.add(b);
        return b;
    }

    @AfterEach
    void close() {
        open.forEach(RamBlock::close);
    }

    static void fill(RamBlock b, int page, long seed) {
        byte[] data = new byte[4096];
        new Random(seed).nextBytes(data);
        b.write(page * 4096L, data, 0, data.length);
    }

    static void load(RamHandler dest, List<byte[]> sections, long seed) throws IOException {
        StreamInput in = Bytes.chopped(concat(sections.toArray(byte[][]::new)), seed);
        LoadContext ctx = new LoadContext(in, Capabilities.defaults(), () -> {});
        dest.loadSetup(ctx);
        for (int i = 0; i < sections.size(); i++) {
            dest.loadState(ctx, RamHandler.VERSION);
        }
        assertThat(in.hasMore()).as("every section read to its EOS").isFalse();
        dest.loadCleanup();
    }

    static void assertSameBytes(RamBlock dest, RamBlock src) {
        assertThat(MemorySegment.mismatch(dest.segment(), 0, dest.size(), src.segment(), 0, src.size()))
                .as("first differing byte of %s", dest.name()).isEqualTo(-1L);
    }

    @Test
    void pagesArriveInTheOtherMachinesBlocks() throws IOException {
        RamBlock pc = block("pc.ram", 3);
        RamBlock vga = block("vga", 2);
        fill(pc, 0, 1);
        fill(pc, 2, 2);
        vga.putByte(4096 + 4095, (byte) 0x7e);

        RamBlock dpc = block("pc.ram", 3);
        RamBlock dvga = block("vga", 2);
        dpc.putByte(4096 + 100, (byte) 9); // stale data where the source has a zero page
        fill(dvga, 0, 3);

        RamSource src = new RamSource(pc, vga);
        List<byte[]> sections = new ArrayList<>();
        sections.add(src.setup());
        sections.add(src.iterate(2));
        sections.add(src.iterate(2));
        fill(pc, 0, 4); // written again after it was sent
        src.handler.pendingExact(0, new Pending());
        sections.add(src.iterate(1));
        vga.putByte(0, (byte) 1); // written while the machine stops
        src.handler.saveLiveCompletePrecopy(src.ctx);
        sections.add(src.take());

        load(new RamHandler(() -> List.of(dpc, dvga)), sections, 42);
        assertSameBytes(dpc, pc);
        assertSameBytes(dvga, vga);
        assertThat(dpc.getByte(4096 + 100)).as("a ZERO record clears the page").isZero();
    }

    @Test
    void loadedPagesCountAsPopulatedOnTheDestination() throws IOException {
        RamBlock src = block("ram", 2);
        fill(src, 1, 5);
        RamBlock dest = block("ram", 2);
        RamSource s = new RamSource(src);
        List<byte[]> sections = List.of(s.setup(), s.iterate(Integer.MAX_VALUE));
        load(new RamHandler(() -> List.of(dest)), sections, 1);
        assertThat(dest.mayBeNonZero(0)).isFalse();
        assertThat(dest.mayBeNonZero(1)).isTrue();
    }

    @Test
    void roundTripsBlocksWhoseLastWordIsPartial() throws IOException {
        RamBlock src = block("big", 70); // 64 + 6 pages
        for (int p : new int[] {0, 63, 64, 69}) {
            fill(src, p, p);
        }
        RamBlock dest = block("big", 70);
        RamSource s = new RamSource(src);
        List<byte[]> sections = List.of(s.setup(), s.iterate(Integer.MAX_VALUE));
        load(new RamHandler(() -> List.of(dest)), sections, 9);
        assertSameBytes(dest, src);
    }
}

package io.godwit.ram;

import static io.godwit.stream.Bytes.ascii;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.options.Capabilities;
import io.godwit.savevm.LoadContext;
import io.godwit.stats.Counter;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ram section's setup payload (ram.c ram_save_setup, version 4). */
class RamSetupEncodingTest {
    final RamBlock pc = new RamBlock("pc.ram", 3 * 4096, false);
    final RamBlock vga = new RamBlock("vga.vram", 2 * 4096, false);

    // be64 total (0x5000) | MEM_SIZE; per block u8 length + name, be64 length; be64 EOS
    static final byte[] GOLDEN = concat(
            hex("00000000 00005004"),
            hex("06"), ascii("pc.ram"), hex("00000000 00003000"),
            hex("08"), ascii("vga.vram"), hex("00000000 00002000"),
            hex("00000000 00000010"));

    @AfterEach
    void close() {
        pc.close();
        vga.close();
    }

    @Test
    void writesTotalWithMemSizeThenEveryBlockThenEos() throws IOException {
        RamSource src = new RamSource(pc, vga);
        assertThat(src.setup()).containsExactly(GOLDEN);
        assertThat(src.counters.get(Counter.RAM_TOTAL)).isEqualTo(0x5000);
        assertThat(src.counters.get(Counter.DIRTY_SYNC_COUNT)).as("setup counts the first pass").isEqualTo(1);
    }

    @Test
    void setupSendsNoPagesEvenWhenSomeAreWritten() throws IOException {
        pc.putByte(5, (byte) 1);
        assertThat(new RamSource(pc, vga).setup()).containsExactly(GOLDEN);
    }

    @Test
    void loadsHandWrittenSetup() throws IOException {
        try (RamBlock dpc = new RamBlock("pc.ram", 3 * 4096, false);
                RamBlock dvga = new RamBlock("vga.vram", 2 * 4096, false)) {
            RamHandler dest = new RamHandler(() -> List.of(dvga, dpc)); // order does not matter
            StreamInput in = Bytes.chopped(GOLDEN, 1);
            LoadContext ctx = new LoadContext(in, Capabilities.defaults(), () -> {});
            dest.loadSetup(ctx);
            dest.loadState(ctx, RamHandler.VERSION);
            assertThat(in.position()).isEqualTo(GOLDEN.length);
            assertThat(in.hasMore()).isFalse();
        }
    }

    @Test
    void acceptsDestinationWithMoreBlocksThanTheSource() throws IOException {
        try (RamBlock dpc = new RamBlock("pc.ram", 3 * 4096, false);
                RamBlock dvga = new RamBlock("vga.vram", 2 * 4096, false);
                RamBlock extra = new RamBlock("extra", 4096, false)) {
            RamHandler dest = new RamHandler(() -> List.of(dpc, dvga, extra));
            LoadContext ctx = new LoadContext(Bytes.input(GOLDEN), Capabilities.defaults(), () -> {});
            dest.loadSetup(ctx);
            dest.loadState(ctx, RamHandler.VERSION);
        }
    }
}

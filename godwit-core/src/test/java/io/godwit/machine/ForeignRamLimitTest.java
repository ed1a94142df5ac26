package io.godwit.machine;

import static io.godwit.machine.ForeignStateTest.ROM;
import static io.godwit.machine.ForeignStateTest.TYPE;
import static io.godwit.machine.ForeignStateTest.indexOf;
import static io.godwit.machine.ForeignStateTest.qemuStream;
import static io.godwit.stream.Bytes.ascii;
import static io.godwit.stream.Bytes.be32;
import static io.godwit.stream.Bytes.be64;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Bytes.str8;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.migration.IncomingMigration;
import io.godwit.migration.MigrationStatus;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blank destination maps no more RAM than its limit and checks every size and count of the
 * block list it adopts before using it.
 */
class ForeignRamLimitTest {
    @TempDir
    Path dir;

    IncomingMigration receive(Machine m, byte[] stream) throws IOException {
        return ForeignStateTest.receive(dir, m, stream);
    }

    /** {@link #qemuStream()} with {@code pc.ram} (and the MEM_SIZE total) {@code extra} bytes larger. */
    static byte[] withLargerPcRam(long extra) {
        byte[] s = qemuStream();
        int total = indexOf(s, be64((0x10000 + 0x2000) | 0x04));
        System.arraycopy(be64((0x10000 + 0x2000 + extra) | 0x04), 0, s, total, 8);
        int at = indexOf(s, concat(str8("pc.ram"), be64(0x10000)));
        System.arraycopy(be64(0x10000 + extra), 0, s, at + 7, 8);
        return s;
    }

    @Test
    void blockSizesRaisedBy16TiBAreRefusedByTheDefaultLimit() throws IOException {
        long extra = 16L << 40;
        try (Machine m = new Machine("dst")) {
            IncomingMigration in = receive(m, withLargerPcRam(extra));

            assertThat(in.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(in.error()).contains("RAM block 'pc.ram' of " + (0x10000 + extra) + " bytes")
                    .contains("limit of " + HostMemory.backable() + " bytes").contains("--max-ram");
            assertThat(m.ram()).isEmpty();
            assertThat(m.state().running()).isFalse();
        }
    }

    @Test
    void refusalNamesTheBlockItsSizeTheTotalAndTheLimit() throws IOException {
        try (Machine m = new Machine("dst")) {
            m.setMaxRam(0x10000 + 0x1000); // pc.ram fits, the ROM after it does not
            IncomingMigration in = receive(m, qemuStream());

            assertThat(in.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(in.error()).startsWith("RAM block '" + ROM + "' of 8192 bytes would bring this machine's RAM to "
                    + (0x10000 + 0x2000) + " bytes, over its limit of " + (0x10000 + 0x1000)
                    + " bytes (godwit run --max-ram)");
            assertThat(m.ram()).as("what was adopted is dropped again").isEmpty();
        }
    }

    @Test
    void blockWithinTheLimitLoads() throws IOException {
        try (Machine m = new Machine("dst")) {
            m.setMaxRam(0x10000 + 0x2000);
            assertThat(receive(m, qemuStream()).status()).isEqualTo(MigrationStatus.COMPLETED);
        }
    }

    @Test
    void blockNameThatIsNotPrintableIsRefused() throws IOException {
        byte[] s = qemuStream();
        int at = indexOf(s, str8("pc.ram"));
        s[at + 3] = 0x07; // "pc\u0007ram"
        try (Machine m = new Machine("dst")) {
            IncomingMigration in = receive(m, s);
            assertThat(in.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(in.error()).contains("RAM block name").contains("printable").contains("at byte offset");
            assertThat(m.ram()).isEmpty();
        }
    }

    @Test
    void emptyBlockNameIsRefusedWithItsOffset() throws IOException {
        // a MEM_SIZE record of one 4 KiB block with an empty name
        byte[] ramStart = concat(hex("01 00000002"), str8("ram"), hex("00000000 00000004"),
                be64(0x1000 | 0x04), str8(""), be64(0x1000), be64(0x10), hex("7e 00000002"));
        byte[] s = concat(hex("5145564d 00000003 07"), be32(TYPE.length()), ascii(TYPE), ramStart, hex("00"));
        try (Machine m = new Machine("dst")) {
            IncomingMigration in = receive(m, s);
            assertThat(in.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(in.error()).contains("empty name").contains("at byte offset 51");
        }
    }

    @Test
    void moreBlocksThanADestinationTakesAreRefused() throws IOException {
        int n = ForeignState.MAX_RAM_BLOCKS + 1;
        byte[][] blocks = new byte[n][];
        for (int i = 0; i < n; i++) {
            blocks[i] = concat(str8("b" + i), be64(0x1000));
        }
        byte[] ramStart = concat(hex("01 00000002"), str8("ram"), hex("00000000 00000004"),
                be64((0x1000L * n) | 0x04), concat(blocks), be64(0x10), hex("7e 00000002"));
        byte[] s = concat(hex("5145564d 00000003 07"), be32(TYPE.length()), ascii(TYPE), ramStart, hex("00"));
        try (Machine m = new Machine("dst")) {
            IncomingMigration in = receive(m, s);
            assertThat(in.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(in.error()).contains("more than " + ForeignState.MAX_RAM_BLOCKS + " RAM blocks");
            assertThat(m.ram()).isEmpty();
        }
    }

    @Test
    void moreDeviceSectionsThanADestinationKeepsAreRefused() throws IOException {
        int n = ForeignState.MAX_RAW_SECTIONS + 1;
        byte[][] sections = new byte[n][];
        for (int i = 0; i < n; i++) {
            sections[i] = concat(hex("04"), be32(i + 1), str8("dev"), be32(i), hex("00000001 00"), hex("7e"), be32(i + 1));
        }
        byte[] s = concat(hex("5145564d 00000003 07"), be32(TYPE.length()), ascii(TYPE), concat(sections), hex("00"));
        try (Machine m = new Machine("dst")) {
            IncomingMigration in = receive(m, s);
            assertThat(in.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(in.error()).contains("more than " + ForeignState.MAX_RAW_SECTIONS + " device sections")
                    .contains("at byte offset");
            assertThat(ForeignState.rawSections(m)).as("what was kept is dropped again").isEmpty();
            assertThat(m.isBlank()).isTrue();
        }
    }

    @Test
    void defaultLimitIsPhysicalMemoryPlusSwapLessTheHeapAndAReserve() {
        long expected = HostMemory.physicalPlusSwap() - Runtime.getRuntime().maxMemory() - HostMemory.RESERVE;
        assertThat(HostMemory.backable()).isEqualTo(Math.max(HostMemory.FLOOR, expected));
        try (Machine m = new Machine("m")) {
            assertThat(m.maxRam()).isEqualTo(HostMemory.backable());
            m.setMaxRam(1 << 20);
            assertThat(m.maxRam()).isEqualTo(1 << 20);
        }
    }
}

package io.godwit.block;

import static io.godwit.block.BlockStreams.MIB;
import static io.godwit.block.BlockStreams.disk;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Refusal.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.machine.Machine;
import io.godwit.migration.LocalMigration;
import io.godwit.migration.MigrationStatus;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.Parameters;
import io.godwit.savevm.LoadContext;
import io.godwit.savevm.SaveStateEntry;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Godwit's "godwit/disks" section ({@link DiskList} has the layout): a LIST at setup and NONE at
 * the end. The destination refuses a disk it lacks or one of another size.
 */
class DiskSizesTest {
    static final Capabilities BLOCK = Capabilities.of(Capability.BLOCK);

    @TempDir
    Path src;
    @TempDir
    Path dst;

    private static ThrowingCallable loading(List<BlockDevice> here, byte[] payload) {
        return () -> load(here, payload);
    }

    private static StreamInput load(List<BlockDevice> here, byte[] payload) throws IOException {
        StreamInput in = Bytes.chopped(payload, 11);
        new DiskSizes(() -> here).loadState(new LoadContext(in, Capabilities.defaults(), () -> {}), DiskSizes.VERSION);
        return in;
    }

    @Test
    void setupListsEveryDiskWithItsSizeAndCompleteSaysNone() throws IOException {
        try (BlockDevice d0 = disk(src, "d0", 2 * MIB); BlockDevice d1 = disk(src, "disk1", 3 * MIB + 512)) {
            BlockSource s = new BlockSource(BLOCK, d0, d1);
            DiskSizes sizes = new DiskSizes(() -> List.of(d0, d1));
            sizes.saveSetup(s.ctx);
            assertThat(s.take()).containsExactly(hex("""
                    01 00000002
                    02 6430 00000000 00200000
                    05 6469736b31 00000000 00300200"""));
            sizes.saveLiveCompletePrecopy(s.ctx);
            assertThat(s.take()).containsExactly(hex("00"));
        }
    }

    @Test
    void acceptsMatchingDisksInAnyOrderAndReadsToTheEnd() throws IOException {
        try (BlockDevice d0 = disk(dst, "d0", 2 * MIB); BlockDevice d1 = disk(dst, "disk1", 3 * MIB + 512)) {
            byte[] payload = hex("01 00000002 05 6469736b31 00000000 00300200 02 6430 00000000 00200000");
            StreamInput in = load(List.of(d0, d1), payload);
            assertThat(in.hasMore()).isFalse();
            assertThat(load(List.of(d0, d1), hex("00")).hasMore()).isFalse();
        }
    }

    @Test
    void refusesDiskThatIsNotHere() throws IOException {
        try (BlockDevice d0 = disk(dst, "d0", 2 * MIB)) {
            byte[] payload = hex("01 00000002 02 6430 00000000 00200000 02 6439 00000000 00300000");
            assertRefused(loading(List.of(d0), payload), StreamFormatException.class, 16,
                    "unknown disk 'd9' (3145728 bytes) on the source: expected a disk of that name here");
        }
    }

    @Test
    void refusesDiskOfAnotherSizeNamingBothSizes() throws IOException {
        try (BlockDevice d0 = disk(dst, "d0", 2 * MIB)) {
            byte[] payload = hex("01 00000001 02 6430 00000000 00300000");
            assertRefused(loading(List.of(d0), payload), StreamFormatException.class, 5,
                    "disk 'd0' has 3145728 bytes on the source; expected 2097152 as here");
        }
    }

    @Test
    void refusesUnknownRecordKindAndAbsurdCount() throws IOException {
        assertRefused(loading(List.of(), hex("02")), StreamFormatException.class, 0,
                "godwit/disks record 2; expected 0 or 1");
        assertRefused(loading(List.of(), hex("01 ffffffff")), StreamFormatException.class, 0,
                "godwit/disks lists -1 disks");
    }

    @Test
    void isSavedBeforeTheBlockSection() throws IOException {
        try (Machine m = new Machine("m")) {
            m.addDisk(disk(src, "d0", MIB));
            List<String> order = m.registry().entries().stream().map(SaveStateEntry::idstr).toList();
            assertThat(order.indexOf(DiskSizes.IDSTR)).isLessThan(order.indexOf(BlockMigration.IDSTR))
                    .isLessThan(order.indexOf("ram"));
        }
    }

    @Test
    void migrationToADiskOfAnotherSizeFailsBeforeAnyChunkIsWritten() throws Exception {
        try (Machine from = new Machine("src"); Machine to = new Machine("dst")) {
            from.addRam("pc.ram", MIB);
            to.addRam("pc.ram", MIB);
            BlockDevice a = disk(src, "d0", 2 * MIB);
            BlockDevice b = disk(dst, "d0", 3 * MIB);
            from.addDisk(a);
            to.addDisk(b);
            BlockStreams.fill(a, 0, 2 * MIB, 0x5a);
            byte[] before = b.digest();

            LocalMigration.Result r = LocalMigration.run(from, to, Parameters.defaults().withMaxBandwidth(0),
                    BLOCK.plus(Capability.RETURN_PATH), Duration.ofMinutes(1));

            assertThat(r.destination().status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(r.destinationError()).contains("disk 'd0' has 2097152 bytes on the source; expected 3145728");
            assertThat(b.digest()).as("nothing written").isEqualTo(before);
        }
    }
}

package io.godwit.block;

import io.godwit.reference.workload.DiskWriter;
import static io.godwit.block.BlockStreams.MIB;
import static io.godwit.block.BlockStreams.disk;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.machine.RunState;
import io.godwit.migration.LocalMigration;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.Parameters;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole migrations of machines with disks: images and bitmaps arrive through the machine's handlers. */
class DiskMachineMigrationTest {
    static final Capabilities CAPS = Capabilities.of(Capability.RETURN_PATH, Capability.BLOCK, Capability.ZERO_BLOCKS,
            Capability.DIRTY_BITMAPS);

    @TempDir
    Path src;
    @TempDir
    Path dst;

    @Test
    void disksAndBitmapsOfARunningMachineArriveEqualToThePausedSource() throws Exception {
        try (Machine from = new Machine("src"); Machine to = new Machine("dst")) {
            from.addRam("pc.ram", MIB);
            to.addRam("pc.ram", MIB);
            BlockDevice a = disk(src, "vda", 8 * MIB);
            BlockDevice b = disk(src, "vdb", 3 * MIB + 512);
            from.addDisk(a);
            from.addDisk(b);
            to.addDisk(disk(dst, "vda", 8 * MIB));
            to.addDisk(disk(dst, "vdb", 3 * MIB + 512));
            BlockDirtyBitmap inc = a.addBitmap("inc", 65536, true, true);
            BlockDirtyBitmap frozen = b.addBitmap("frozen", 4096, false, false);
            BlockStreams.fill(a, 5 * MIB, 70_000, 0x5a);
            frozen.set(MIB, 3 * 4096);
            from.addWorkload(new DiskWriter(a, 8 * MIB, false, 7));
            from.start();

            LocalMigration.Result r = LocalMigration.run(from, to, Parameters.defaults().withMaxBandwidth(0), CAPS,
                    Duration.ofMinutes(1));

            assertThat(r.completed()).as("%s", r).isTrue();
            assertThat(from.state()).isEqualTo(RunState.POSTMIGRATE);
            assertThat(MachineDigest.of(to).disks()).isEqualTo(MachineDigest.of(from).disks());
            assertThat(MachineDigest.of(to).bitmaps()).containsOnlyKeys("vda/inc", "vdb/frozen")
                    .isEqualTo(MachineDigest.of(from).bitmaps());
            BlockDirtyBitmap inc2 = to.disk("vda").bitmap("inc");
            assertThat(inc2.sha256()).isEqualTo(inc.sha256());
            assertThat(inc2.count()).isGreaterThanOrEqualTo(2);
            assertThat(inc2.enabled()).isTrue();
            assertThat(inc2.persistent()).isTrue();
            BlockDirtyBitmap frozen2 = to.disk("vdb").bitmap("frozen");
            assertThat(frozen2.sha256()).isEqualTo(frozen.sha256());
            assertThat(frozen2.enabled()).isFalse();
            assertThat(r.source().disk().total()).isEqualTo(11 * MIB + 512);
        }
    }

    @Test
    void theDigestCoversEachBitmapsBitsAndWhetherItRecords() throws Exception {
        try (Machine a = new Machine("a"); Machine b = new Machine("b")) {
            a.addDisk(disk(src, "vda", MIB));
            b.addDisk(disk(dst, "vda", MIB));
            BlockDirtyBitmap x = a.disk("vda").addBitmap("x", 65536, true, false);
            BlockDirtyBitmap y = b.disk("vda").addBitmap("x", 65536, true, false);
            assertThat(MachineDigest.of(a)).isEqualTo(MachineDigest.of(b));

            x.set(0, 1);
            assertThat(MachineDigest.of(a).disks()).isEqualTo(MachineDigest.of(b).disks());
            assertThat(MachineDigest.of(a).overall()).as("one bit").isNotEqualTo(MachineDigest.of(b).overall());
            y.set(0, 1);
            assertThat(MachineDigest.of(a)).isEqualTo(MachineDigest.of(b));
            y.setEnabled(false);
            assertThat(MachineDigest.of(a).bitmaps()).as("recording or not").isNotEqualTo(MachineDigest.of(b).bitmaps());
        }
    }

    @Test
    void withoutTheBlockCapabilityTheImagesAreLeftAlone() throws Exception {
        try (Machine from = new Machine("src"); Machine to = new Machine("dst")) {
            from.addRam("pc.ram", MIB);
            to.addRam("pc.ram", MIB);
            BlockDevice a = disk(src, "vda", 2 * MIB);
            BlockDevice a2 = disk(dst, "vda", 2 * MIB);
            from.addDisk(a);
            to.addDisk(a2);
            BlockStreams.fill(a, 0, 4096, 0x5a);
            byte[] before = a2.digest();

            LocalMigration.Result r = LocalMigration.run(from, to, Parameters.defaults().withMaxBandwidth(0),
                    Capabilities.of(Capability.RETURN_PATH), Duration.ofMinutes(1));

            assertThat(r.completed()).as("%s", r).isTrue();
            assertThat(a2.digest()).as("shared storage: not copied").isEqualTo(before);
        }
    }
}

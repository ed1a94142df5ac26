package io.godwit.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.block.BlockDevice;
import io.godwit.device.DeviceHandler;
import io.godwit.device.PendingPolicy;
import io.godwit.reference.device.SyntheticDevice;
import io.godwit.machine.Machine;
import io.godwit.reference.workload.MemoryFill;
import io.godwit.reference.workload.RandomWriter;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.Parameters;
import io.godwit.ram.RamBlock;
import io.godwit.stats.Counter;
import io.godwit.stats.MigrationCounters;
import io.godwit.stattrib.PageState;
import io.godwit.stattrib.StorageAttributes;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Streams the engine wrote to a file: inspect's figures are what the source sent. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GodwitStreamInspectTest {
    @TempDir
    Path dir;

    @Test
    void countsEveryPageAndSectionOfAnIdleMachine() throws Exception {
        Path file = dir.resolve("idle.state");
        MigrationCounters c;
        try (Machine m = new Machine("src")) {
            RamBlock ram = m.addRam("pc.ram", 4 << 20);
            RamBlock rom = m.addRam("/rom@etc/acpi/tables", 128 << 10);
            for (long p = 0; p < 1024; p += 3) {
                ram.putLong(p * 4096 + 8, p + 1);
            }
            rom.putLong(0, 42);
            m.start();
            c = GodwitStreams.save(m, file, Capabilities.defaults());
        }

        InspectReport r = GodwitStreams.inspect(file);

        assertThat(r.config.machineType()).isEqualTo(Machine.MACHINE_TYPE);
        assertThat(r.ramBlocks()).extracting(RamBlockStats::name).containsExactly("pc.ram", "/rom@etc/acpi/tables");
        RamBlockStats ram = r.ramBlocks().get(0);
        RamBlockStats rom = r.ramBlocks().get(1);
        assertThat(ram.length()).isEqualTo(4 << 20);
        assertThat(ram.normal()).as("pages written, each sent once").isEqualTo(342);
        assertThat(ram.zero()).isEqualTo(1024 - 342);
        assertThat(ram.distinct()).isEqualTo(1024);
        assertThat(rom.normal()).isEqualTo(1);
        assertThat(rom.zero()).isEqualTo(31);
        assertThat(ram.normal() + rom.normal()).isEqualTo(c.get(Counter.NORMAL_PAGES));
        assertThat(ram.zero() + rom.zero()).isEqualTo(c.get(Counter.ZERO_PAGES) + c.get(Counter.SKIPPED_PAGES));
        assertThat(r.sections.getFirst()).extracting(InspectReport.Section::type, InspectReport.Section::idstr,
                InspectReport.Section::version).containsExactly("START", "ram", 4);
        assertThat(r.sections.getLast().type()).isEqualTo("END");
        assertThat(r.sectionCounts()).containsEntry("START", 1).containsEntry("END", 1).containsEntry("FULL", 0);
        assertThat(r.eofSeen()).isTrue();
        assertThat(r.trailerPresent()).isTrue();
        assertThat(r.devices).isEmpty();
        assertThat(r.warnings).isEmpty();
        assertEveryByteAccountedFor(r, file);
    }

    /** Header, configuration, sections, EOF and trailer add up to the file: nothing was skipped. */
    static void assertEveryByteAccountedFor(InspectReport r, Path file) throws Exception {
        long sections = r.sections.stream().mapToLong(InspectReport.Section::bytes).sum();
        long commands = r.commands.stream().mapToLong(cmd -> 5 + cmd.length()).sum();
        long config = r.sections.getFirst().offset() - r.config.offset();
        assertThat(8 + config + sections + commands + 1 + r.trailerBytes).isEqualTo(Files.size(file));
    }

    @Test
    void extractedRamEqualsTheSourceMemoryAfterPagesWereSentAgain() throws Exception {
        Path file = dir.resolve("busy.state");
        Path out = dir.resolve("ram");
        try (Machine m = new Machine("src")) {
            RamBlock ram = m.addRam("pc.ram", 8 << 20);
            RamBlock rom = m.addRam("/rom@etc/acpi/tables", 64 << 10);
            MemoryFill.random(rom, 7);
            for (long p = 0; p < ram.pages(); p += 2) {
                ram.putLong(p * 4096, p * 31 + 1);
            }
            m.addWorkload(new RandomWriter(64L << 20, 3));
            m.start();
            MigrationCounters c = GodwitStreams.save(m, file, Capabilities.defaults(),
                    Parameters.defaults().withMaxBandwidth(24L << 20));

            InspectReport r = new StreamInspector(file, out, Progress.NONE).inspect();

            long records = 0;
            for (RamBlockStats b : r.ramBlocks()) {
                records += b.normal() + b.zero();
                assertThat(b.distinct()).isEqualTo(b.pages());
            }
            assertThat(records).isEqualTo(c.get(Counter.NORMAL_PAGES) + c.get(Counter.ZERO_PAGES));
            assertThat(records).as("the writer dirtied pages after they were sent").isGreaterThan(ram.pages() + rom.pages());
            assertThat(r.ramBlocks().get(0).file()).isEqualTo(out.resolve("pc.ram").toString());
            assertThat(Files.readAllBytes(out.resolve("pc.ram"))).isEqualTo(ram.segment().toArray(ValueLayout.JAVA_BYTE));
            assertThat(Files.readAllBytes(out.resolve("%2From%40etc%2Facpi%2Ftables")))
                    .isEqualTo(rom.segment().toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void readsDisksBitmapsStorageAttributesAndDevices() throws Exception {
        Path file = dir.resolve("full.state");
        long diskSize = 3 * BlockDevice.CHUNK + BlockDevice.CHUNK / 2;
        MigrationCounters c;
        long deviceBytes;
        try (Machine m = new Machine("src")) {
            m.addRam("pc.ram", 1 << 20);
            BlockDevice disk = BlockDevice.open("drive0", dir.resolve("drive0.img"), diskSize);
            m.addDisk(disk);
            disk.addBitmap("bm0", 65536, true, true);
            write(disk, 0);
            write(disk, 2 * BlockDevice.CHUNK);
            StorageAttributes attrs = m.enableStorageAttributes();
            for (long g = 0; g < attrs.pages(); g += 4) {
                attrs.set(g, PageState.UNUSED);
            }
            DeviceHandler dev = m.addDevice(new SyntheticDevice("dev0", 64 << 10, 0, 0, false, 1), PendingPolicy.LEGACY);
            m.start();
            c = GodwitStreams.save(m, file, Capabilities.of(Capability.BLOCK, Capability.ZERO_BLOCKS,
                    Capability.DIRTY_BITMAPS));
            deviceBytes = dev.transferred();
        }

        InspectReport r = GodwitStreams.inspect(file);

        assertThat(r.diskList.sizes()).isEqualTo(Map.of("drive0", diskSize));
        assertThat(r.block.disks()).containsExactly(new BlockReader.Disk("drive0", 2, 2));
        assertThat(c.get(Counter.DISK_ZERO_BLOCKS)).isEqualTo(2);
        assertThat(r.block.progress()).isEqualTo(100);
        List<BitmapReader.Bitmap> bitmaps = r.bitmaps.bitmaps();
        assertThat(bitmaps).hasSize(1);
        assertThat(bitmaps.getFirst().name).isEqualTo("bm0");
        assertThat(bitmaps.getFirst().granularity).isEqualTo(65536);
        assertThat(bitmaps.getFirst().enabled).isTrue();
        assertThat(bitmaps.getFirst().persistent).isTrue();
        assertThat(bitmaps.getFirst().chunks).as("56 bits, some set").isEqualTo(1);
        assertThat(bitmaps.getFirst().complete).isTrue();
        assertThat(r.stattrib.pages()).isEqualTo(256);
        assertThat(r.stattrib.done()).isTrue();
        assertThat(r.ramBlocks().getFirst().zero()).isEqualTo(c.get(Counter.ZERO_PAGES) + c.get(Counter.SKIPPED_PAGES));
        assertThat(c.get(Counter.SKIPPED_PAGES)).isEqualTo(64);
        VfioReader vfio = r.vfio.get("dev0/vfio");
        assertThat(vfio.dataBytes()).isEqualTo(deviceBytes).isGreaterThanOrEqualTo(64 << 10);
        assertThat(r.devices).hasSize(1);
        InspectReport.Device full = r.devices.getFirst();
        assertThat(full.description.name()).isEqualTo("dev0/vfio");
        InspectReport.Section section = r.sections.stream().filter(s -> s.type().equals("FULL")).findFirst().orElseThrow();
        assertThat(full.bytes).isEqualTo(section.payloadBytes()).isPositive();
        assertThat(full.fields).isEqualTo(1);
        assertThat(r.sections).extracting(InspectReport.Section::idstr).contains("godwit/disks", "block", "dirty-bitmap",
                "s390-storage_attributes", "dev0/vfio");
        assertThat(r.warnings).isEmpty();
        assertEveryByteAccountedFor(r, file);
    }

    private static void write(BlockDevice disk, long offset) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(BlockDevice.CHUNK);
        SplittableRandom rnd = new SplittableRandom(offset);
        while (b.hasRemaining()) {
            b.putLong(rnd.nextLong() | 1);
        }
        disk.write(offset, b.flip());
    }
}

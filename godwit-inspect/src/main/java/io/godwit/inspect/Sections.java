package io.godwit.inspect;

import io.godwit.bitmap.BitmapMigration;
import io.godwit.block.BlockMigration;
import io.godwit.block.DiskSizes;
import io.godwit.device.DeviceHandler;
import io.godwit.ram.RamRecordReader;
import io.godwit.stattrib.StattribMigration;
import io.godwit.stream.NamedTargets;
import io.godwit.stream.StreamConstants;
import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * The section formats inspect knows, by idstr: QEMU's "ram", "block", "dirty-bitmap" and
 * "s390-storage_attributes", VFIO-style "ID/vfio" devices, and Godwit's "godwit/disks". Each
 * reader is made on first use and keeps its figures in the report.
 */
final class Sections {
    /** Makes the RAM extractor once the page size is known; returns null when not extracting. */
    interface ExtractorFactory {
        RamExtractor get(long pageSize) throws IOException;
    }

    private final InspectReport report;
    private final LongSupplier pageSize;
    private final ExtractorFactory extractor;
    private final Progress progress;
    /** Disks of any name, of the sizes "godwit/disks" gave (a QEMU stream has none). */
    private final NamedTargets<String> disks;
    private boolean ignoreShared;
    private boolean postcopyAdvised;

    Sections(InspectReport report, LongSupplier pageSize, ExtractorFactory extractor, Progress progress) {
        this.report = report;
        this.pageSize = pageSize;
        this.extractor = extractor;
        this.progress = progress;
        this.disks = NamedTargets.anyName(name -> report.diskList == null ? -1
                : report.diskList.sizes().getOrDefault(name, -1L));
    }

    void ignoreShared(boolean on) {
        ignoreShared = on;
        if (report.ram != null) {
            report.ram.ignoreShared(on);
        }
    }

    void postcopyAdvised() {
        postcopyAdvised = true;
        if (report.ram != null) {
            report.ram.hugePageSizes(true);
        }
    }

    /** The reader for sections called {@code idstr} (the first at {@code at}), or null when the format is not known. */
    SectionReader reader(String idstr, long at) throws IOException {
        switch (idstr) {
            case StreamConstants.RAM_IDSTR -> {
                if (report.ram == null) {
                    long ps = pageSize.getAsLong();
                    RamRecordReader.checkPageSize(ps, at);
                    report.ram = new RamReader(ps, extractor.get(ps), progress);
                    report.ram.ignoreShared(ignoreShared);
                    report.ram.hugePageSizes(postcopyAdvised);
                }
                return report.ram;
            }
            case BlockMigration.IDSTR -> {
                if (report.block == null) {
                    report.block = new BlockReader(disks);
                }
                return report.block;
            }
            case BitmapMigration.IDSTR -> {
                if (report.bitmaps == null) {
                    report.bitmaps = new BitmapReader(disks);
                }
                return report.bitmaps;
            }
            case StattribMigration.IDSTR -> {
                if (report.stattrib == null) {
                    report.stattrib = new StattribReader();
                }
                return report.stattrib;
            }
            case DiskSizes.IDSTR -> {
                if (report.diskList == null) {
                    report.diskList = new DiskListReader();
                }
                return report.diskList;
            }
            default -> {
                if (idstr.endsWith(DeviceHandler.IDSTR_SUFFIX)) {
                    return report.vfio.computeIfAbsent(idstr, VfioReader::new);
                }
                return null;
            }
        }
    }
}

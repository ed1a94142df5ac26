package io.godwit.bench;

import io.godwit.block.BlockDevice;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.reference.workload.MemoryFill;
import io.godwit.migration.LocalMigration;
import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationListener;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.Parameters;
import io.godwit.stattrib.PageState;
import io.godwit.stattrib.StorageAttributes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * {@code godwit bench disk}: block migration of a disk that is partly zero, with RAM of which a
 * part is marked unused, in-process, no workload. Reports disk throughput and what zero chunks
 * and unused pages saved.
 */
public final class DiskBench {
    /** @param dataFraction share of the disk's chunks that hold data (the rest is zero) */
    public record Config(long disk, double dataFraction, long ram, int unusedPercent) {
        public static Config standard() {
            return new Config(1L << 30, 0.5, 256L << 20, 25);
        }
    }

    public record Result(long diskBytes, long totalMs, long downtimeMs, double diskMibps, long zeroBlocks,
            long zeroBytesSaved, long skippedPages, long skippedBytesSaved, long streamBytes, boolean verified) {}

    private final Config config;
    private final Consumer<String> log;

    public DiskBench(Config config, Consumer<String> log) {
        this.config = config;
        this.log = log;
    }

    public Result run() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("godwit-disk-bench-");
        try (Machine src = new Machine("source"); Machine dst = new Machine("destination")) {
            log.accept("preparing a " + (config.disk() >> 20) + " MiB disk (" + (int) (config.dataFraction() * 100)
                    + "% data) and " + (config.ram() >> 20) + " MiB RAM (" + config.unusedPercent() + "% unused) in " + dir);
            BlockDevice disk = BlockDevice.open("drive0", dir.resolve("source.img"), config.disk());
            fill(disk);
            src.addDisk(disk);
            dst.addDisk(BlockDevice.open("drive0", dir.resolve("destination.img"), config.disk()));
            MemoryFill.random(src.addRam("pc.ram", config.ram(), true), 3);
            dst.addRam("pc.ram", config.ram(), true);
            markUnused(src.enableStorageAttributes());
            dst.enableStorageAttributes();
            Capabilities caps = Capabilities.of(Capability.RETURN_PATH, Capability.BLOCK, Capability.ZERO_BLOCKS);
            LocalMigration.Result r = new LocalMigration(src, dst, Parameters.defaults().withMaxBandwidth(0), caps,
                    MigrationListener.NONE).start().await(Duration.ofMinutes(10));
            MigrationInfo s = r.source();
            if (!r.completed()) {
                throw new IllegalStateException("migration " + s.status().qmpName + ": " + s.errorDesc() + " / "
                        + r.destinationError());
            }
            dst.stop(io.godwit.machine.RunState.PAUSED);
            boolean verified = MachineDigest.of(src).equals(MachineDigest.of(dst));
            long zero = s.disk().zeroBlocks();
            long skipped = s.ram().skipped();
            return new Result(config.disk(), s.totalTimeMs(), s.downtimeMs(),
                    config.disk() / 1048576.0 / (s.totalTimeMs() / 1000.0), zero, zero * BlockDevice.CHUNK, skipped,
                    skipped * 4096, s.ram().transferred(), verified);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private void fill(BlockDevice disk) throws IOException {
        SplittableRandom r = new SplittableRandom(5);
        ByteBuffer chunk = ByteBuffer.allocateDirect(BlockDevice.CHUNK);
        for (long c = 0; c < disk.chunks(); c++) {
            if (r.nextDouble() < config.dataFraction()) {
                chunk.clear();
                while (chunk.hasRemaining()) {
                    chunk.putLong(r.nextLong());
                }
                chunk.flip().limit((int) Math.min(BlockDevice.CHUNK, disk.size() - c * BlockDevice.CHUNK));
                disk.write(c * BlockDevice.CHUNK, chunk);
            }
        }
    }

    private void markUnused(StorageAttributes a) {
        SplittableRandom r = new SplittableRandom(9);
        for (long g = 0; g < a.pages(); g++) {
            if (r.nextInt(100) < config.unusedPercent()) {
                a.set(g, PageState.UNUSED);
            }
        }
    }
}

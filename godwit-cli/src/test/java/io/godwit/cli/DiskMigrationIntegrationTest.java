package io.godwit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.launch.GodwitProcess;
import io.godwit.qmp.QmpError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disks, dirty bitmaps and storage attributes migrating between two processes, with a disk
 * workload, the a-b writer, and pages the guest gave up.
 */
class DiskMigrationIntegrationTest {
    private static final Duration START = Duration.ofMinutes(1);
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private static JsonNode migrate(GodwitProcess src, GodwitProcess dst, boolean block) throws Exception {
        List<Map<String, Object>> caps = List.of(cap("return-path", true), cap("block", block),
                cap("zero-blocks", block), cap("dirty-bitmaps", block));
        src.qmp().execute("migrate-set-capabilities", Map.of("capabilities", caps));
        dst.qmp().execute("migrate-set-capabilities", Map.of("capabilities", caps));
        src.qmp().execute("migrate-set-parameters", Map.of("max-bandwidth", 0, "downtime-limit", 300));
        src.qmp().execute("migrate", Map.of("uri", dst.incomingUri()));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        JsonNode m;
        do {
            Thread.sleep(50);
            m = src.qmp().execute("query-migrate");
            assertThat(System.nanoTime()).as("finished in time: %s", m).isLessThan(deadline);
        } while (!ClientCommands.isTerminal(m.path("status").asText()));
        return m;
    }

    private static Map<String, Object> cap(String name, boolean on) {
        return Map.of("capability", name, "state", on);
    }

    private static JsonNode bitmapOf(GodwitProcess p, String disk) throws Exception {
        for (JsonNode dev : p.qmp().execute("query-block")) {
            if (dev.path("device").asText().equals(disk)) {
                return dev.path("inserted").path("dirty-bitmaps").path(0);
            }
        }
        throw new AssertionError("no disk " + disk);
    }

    @Test
    void disksBitmapsAndUnusedPagesArriveAsTheSourceHadThem() throws Exception {
        List<String> common = List.of("--ram", "64M", "--unused-pages", "20");
        try (GodwitProcess dst = Main.LAUNCHER.start(dir, "dst", concat(common, "--disk",
                        "drive0=" + dir.resolve("dst0.img") + ",size=1G", "--disk", "data=" + dir.resolve("dst1.img")
                                + ",size=64M", "--incoming", "tcp:127.0.0.1:0"), START);
                GodwitProcess src = Main.LAUNCHER.start(dir, "src", concat(common, "--disk",
                        "drive0=" + dir.resolve("src0.img") + ",size=1G", "--disk", "data=" + dir.resolve("src1.img")
                                + ",size=64M", "--workload", "ab:32M", "--workload", "disk:drive0:1M",
                        "--workload", "attrs:2000"), START)) {
            // a bitmap with a known set of dirty chunks: 64 KiB granularity, written at three places
            src.qmp().execute("block-dirty-bitmap-add", Map.of("node", "data", "name", "backup0", "granularity", 65536));
            src.qmp().execute("x-disk-write", Map.of("node", "data", "offset", 0, "length", 4096));
            src.qmp().execute("x-disk-write", Map.of("node", "data", "offset", 10 * MIB, "length", MIB));
            src.qmp().execute("x-disk-write", Map.of("node", "data", "offset", 64 * MIB - 512, "length", 512));
            long expectedBits = 1 + 16 + 1;

            JsonNode m = migrate(src, dst, true);

            assertThat(m.path("status").asText()).as(m.toString()).isEqualTo("completed");
            JsonNode disk = m.path("disk");
            assertThat(disk.path("total").asLong()).isEqualTo(1024 * MIB + 64 * MIB);
            assertThat(disk.path("transferred").asLong()).isGreaterThanOrEqualTo(disk.path("total").asLong());
            assertThat(disk.path("zero-blocks").asLong()).as("the data disk is mostly zero").isPositive();
            assertThat(m.path("ram").path("skipped").asLong()).as("unused pages not sent").isPositive();

            JsonNode srcDigest = src.qmp().execute("x-query-digest");
            JsonNode dstDigest = dst.qmp().execute("x-query-digest");
            assertThat(dstDigest.path("disks")).isEqualTo(srcDigest.path("disks"));
            assertThat(dstDigest.path("dirty-bitmaps").path("data/backup0").asText()).isNotEmpty()
                    .isEqualTo(srcDigest.path("dirty-bitmaps").path("data/backup0").asText());
            assertThat(dstDigest.path("storage-attributes").asText()).isNotEmpty()
                    .isEqualTo(srcDigest.path("storage-attributes").asText());
            assertThat(dstDigest.path("digest").asText()).isEqualTo(srcDigest.path("digest").asText());
            assertThat(dst.qmp().execute("x-check-ab").path("passed").asBoolean()).isTrue();
            assertThat(src.qmp().execute("x-check-unused").path("non-zero-unused-pages").asLong())
                    .as("the source's unused pages still hold data").isPositive();
            JsonNode unused = dst.qmp().execute("x-check-unused");
            assertThat(unused.path("unused-pages").asLong()).isPositive();
            assertThat(unused.path("non-zero-unused-pages").asLong()).as("unused pages read as zero").isZero();

            JsonNode srcBitmap = bitmapOf(src, "data");
            JsonNode dstBitmap = bitmapOf(dst, "data");
            assertThat(dstBitmap.path("name").asText()).isEqualTo("backup0");
            assertThat(dstBitmap.path("granularity").asLong()).isEqualTo(65536);
            assertThat(dstBitmap.path("count").asLong()).isEqualTo(srcBitmap.path("count").asLong())
                    .isEqualTo(expectedBits * 65536);
            assertThat(sha(dst)).isEqualTo(sha(src));
            assertThat(dstBitmap.path("recording").asBoolean()).isTrue();

            dst.qmp().execute("x-disk-write", Map.of("node", "data", "offset", 32 * MIB, "length", 65536));
            assertThat(bitmapOf(dst, "data").path("count").asLong()).as("it keeps recording on the destination")
                    .isEqualTo((expectedBits + 1) * 65536);
        }
    }

    private static String sha(GodwitProcess p) throws Exception {
        return p.qmp().execute("x-debug-block-dirty-bitmap-sha256", Map.of("node", "data", "name", "backup0"))
                .path("sha256").asText();
    }

    @Test
    void withoutTheBlockCapabilityNoDiskDataIsSent() throws Exception {
        Path shared = dir.resolve("shared.img");
        try (GodwitProcess dst = Main.LAUNCHER.start(dir, "dst", List.of("--ram", "32M", "--disk",
                        "drive0=" + shared + ",size=64M", "--incoming", "tcp:127.0.0.1:0"), START);
                GodwitProcess src = Main.LAUNCHER.start(dir, "src", List.of("--ram", "32M", "--disk",
                        "drive0=" + shared, "--workload", "disk:drive0:1M"), START)) {
            JsonNode m = migrate(src, dst, false);

            assertThat(m.path("status").asText()).isEqualTo("completed");
            assertThat(m.has("disk")).as("shared storage: no block migration").isFalse();
            assertThat(m.path("ram").path("transferred").asLong()).isLessThan(48 * MIB);
        }
    }

    @Test
    void aDestinationDiskOfAnotherSizeIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path dstImage = dir.resolve("small.img");
        try (GodwitProcess dst = Main.LAUNCHER.start(dir, "dst", List.of("--ram", "32M", "--disk",
                        "drive0=" + dstImage + ",size=32M", "--incoming", "tcp:127.0.0.1:0"), START);
                GodwitProcess src = Main.LAUNCHER.start(dir, "src", List.of("--ram", "32M", "--disk",
                        "drive0=" + dir.resolve("big.img") + ",size=64M", "--workload", "disk:drive0:1M"), START)) {
            byte[] before = Files.readAllBytes(dstImage);

            JsonNode m = migrate(src, dst, true);

            assertThat(m.path("status").asText()).isEqualTo("failed");
            JsonNode d = dst.qmp().execute("query-migrate");
            assertThat(d.path("status").asText()).isEqualTo("failed");
            assertThat(d.path("error-desc").asText()).contains("drive0").contains("67108864").contains("33554432");
            assertThat(Files.readAllBytes(dstImage)).as("nothing written").isEqualTo(before);
            assertThat(dst.qmp().execute("query-status").path("status").asText()).isNotEqualTo("running");
            assertThat(src.qmp().execute("query-status").path("status").asText()).isEqualTo("running");
        }
    }

    @Test
    void bitmapCommandsReportQmpErrors() throws Exception {
        try (GodwitProcess p = Main.LAUNCHER.start(dir, "m", List.of("--ram", "16M", "--disk",
                "drive0=" + dir.resolve("d.img") + ",size=16M"), START)) {
            p.qmp().execute("block-dirty-bitmap-add", Map.of("node", "drive0", "name", "b"));
            assertThat(errorOf(p, "block-dirty-bitmap-add", Map.of("node", "drive0", "name", "b")))
                    .contains("already exists");
            assertThat(errorOf(p, "block-dirty-bitmap-add", Map.of("node", "nope", "name", "b")))
                    .contains("Cannot find device='nope'");
            assertThat(errorOf(p, "block-dirty-bitmap-add", Map.of("node", "drive0", "name", "c", "granularity", 1000)))
                    .contains("Granularity must be power of 2");
            assertThat(errorOf(p, "x-debug-block-dirty-bitmap-sha256", Map.of("node", "drive0", "name", "zz")))
                    .contains("'zz' not found");
        }
    }

    private static String errorOf(GodwitProcess p, String cmd, Map<String, ?> args) throws Exception {
        try {
            p.qmp().execute(cmd, args);
            throw new AssertionError(cmd + " succeeded");
        } catch (QmpError e) {
            return e.getMessage();
        }
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }
}

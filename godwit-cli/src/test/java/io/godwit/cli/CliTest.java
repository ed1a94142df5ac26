package io.godwit.cli;

import static io.godwit.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The CLI's commands as a user runs them; stdout is captured and parsed. */
class CliTest {


    @Test
    void demoJsonReportsCompletionAndPassedVerification() throws Exception {
        CliRun r = run("demo", "--json", "--ram", "64M");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertThat(j.path("status").asText()).isEqualTo("completed");
        assertThat(j.path("total-time").asLong()).isPositive();
        assertThat(j.has("downtime")).isTrue();
        assertThat(j.path("dirty-sync-count").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(j.path("ram").path("transferred").asLong()).isGreaterThanOrEqualTo(32L << 20);
        assertThat(j.path("verification").path("ab").asText()).isEqualTo("passed");
        assertThat(j.path("verification").path("digest").asText()).isEqualTo("passed");
        assertThat(j.path("verification").path("source-digest").asText())
                .isEqualTo(j.path("verification").path("destination-digest").asText());
    }

    @Test
    void inProcessDemoTextEndsWithSummaryAndVerification() {
        CliRun r = run("demo", "--in-process", "--ram", "16M");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("migration completed").contains("downtime:").contains("passes:")
                .contains("a-b check:      passed").contains("digest:         passed");
    }

    @Test
    void inProcessDemoJsonHasTheSameKeys() throws Exception {
        CliRun r = run("demo", "--in-process", "--json", "--ram", "32M");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertThat(j.path("status").asText()).isEqualTo("completed");
        for (String key : new String[] {"total-time", "downtime", "dirty-sync-count"}) {
            assertThat(j.has(key)).as(key).isTrue();
        }
        assertThat(j.path("ram").path("transferred").asLong()).isPositive();
        assertThat(j.path("verification").path("ab").asText()).isEqualTo("passed");
        assertThat(j.path("verification").path("digest").asText()).isEqualTo("passed");
    }

    @Test
    void postcopyDemoJsonHasThePostcopyFigures() throws Exception {
        // 16 MiB/s and 10 ms: pre-copy cannot converge under the a-b writer, post-copy finishes it
        CliRun r = run("demo", "--postcopy", "--json", "--ram", "64M", "--max-bandwidth", "16M",
                "--downtime-limit", "10", "--passes", "2");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("switching to post-copy");
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertThat(j.path("status").asText()).isEqualTo("completed");
        assertThat(j.path("downtime").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(j.path("postcopy-time").asLong()).isGreaterThanOrEqualTo(j.path("downtime").asLong());
        assertThat(j.path("postcopy-requests").asLong()).isGreaterThanOrEqualTo(0);
        JsonNode lat = j.path("fault-latency-us");
        assertThat(lat.path("max").asLong()).isGreaterThanOrEqualTo(lat.path("p99").asLong())
                .isGreaterThanOrEqualTo(lat.path("p50").asLong());
        assertThat(j.path("ram").path("postcopy-bytes").asLong()).isPositive();
        assertThat(j.path("verification").path("ab").asText()).isEqualTo("passed");
        assertThat(j.path("verification").path("digest").asText()).isEqualTo("passed");
    }

    @Test
    void postcopyDemoWithPreemptCompletesVerifiedAndCountsThePreemptChannel() throws Exception {
        CliRun r = run("demo", "--postcopy", "--preempt", "--json", "--ram", "64M", "--max-bandwidth", "16M",
                "--downtime-limit", "10", "--passes", "2");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertThat(j.path("status").asText()).isEqualTo("completed");
        assertThat(j.has("postcopy-preempt-pages")).as("the destination had a preempt channel: %s", j).isTrue();
        assertThat(j.path("postcopy-preempt-pages").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(j.path("verification").path("ab").asText()).isEqualTo("passed");
        assertThat(j.path("verification").path("digest").asText()).isEqualTo("passed");
    }

    @Test
    void demoWithAutoConvergeConvergesWhatPlainPrecopyCannotAndSaysHowFarItThrottled() throws Exception {
        CliRun r = run("demo", "--json", "--ram", "16M", "--ab", "4M", "--random", "64M", "--max-bandwidth", "8M",
                "--downtime-limit", "20", "--auto-converge", "--set", "cpu-throttle-initial=60",
                "--set", "cpu-throttle-increment=20");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertThat(j.path("status").asText()).isEqualTo("completed");
        assertThat(j.path("cpu-throttle-peak").asInt()).as(j.toString()).isBetween(60, 99);
        assertThat(j.path("verification").path("digest").asText()).isEqualTo("passed");
    }

    @Test
    void throttleOptionsAreRefusedWhereTheyDoNotApply() throws Exception {
        CliRun r = run("demo", "--in-process", "--dirty-limit");

        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("--auto-converge, --dirty-limit and --set apply to the two-process demo");
    }

    @Test
    void preemptWithoutPostcopyIsRefused() throws Exception {
        CliRun r = run("demo", "--preempt");

        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("--preempt applies to --postcopy");
    }

    @Test
    void benchRamCompressWithoutUriComparesTheCodecsOnARealisticImage() throws Exception {
        CliRun r = run("bench", "ram", "--compress", "zstd", "--size", "32M", "--runs", "1", "--json");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertThat(j.path("image").asText()).isEqualTo("realistic");
        assertThat(j.path("compression").asText()).isEqualTo("zstd");
        assertThat(j.path("channels").asInt()).isEqualTo(2);
        assertThat(j.path("results")).extracting(n -> n.path("compression").asText())
                .containsExactly("none", "zlib", "zstd");
        for (String codec : new String[] {"none", "zlib", "zstd"}) {
            assertThat(j.path(codec + "-mibps").asDouble()).as(codec).isPositive();
            assertThat(j.path(codec + "-ratio").asDouble()).as(codec)
                    .isCloseTo(32.0 * (1 << 20) / j.path(codec + "-wire-bytes").asLong(), within(0.01));
        }
        assertThat(j.path("zstd-wire-bytes").asLong()).as("text, code and heap compress")
                .isLessThan(j.path("none-wire-bytes").asLong() / 2);
        assertThat(j.path("zlib-wire-bytes").asLong()).isLessThan(j.path("none-wire-bytes").asLong() / 2);
        assertThat(r.err()).contains("digest verified");
    }

    @Test
    void benchRamJsonHasTheFigures() throws Exception {
        CliRun r = run("bench", "ram", "--size", "16M", "--runs", "1", "--json");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = Json.MAPPER.readTree(r.out());
        for (String key : new String[] {"random-mibps", "zero-mibps"}) {
            assertThat(j.path(key).asDouble()).as(key).isPositive();
        }
        for (String key : new String[] {"random-downtime-ms", "zero-downtime-ms"}) {
            assertThat(j.has(key)).as(key).isTrue();
            assertThat(j.path(key).asLong()).as(key).isGreaterThanOrEqualTo(0);
        }
        assertThat(j.path("random-digest-verified").asBoolean()).isTrue();
    }

    @Test
    void benchTrackingJsonHasTheFigures() throws Exception {
        CliRun r = run("bench", "tracking", "--size", "8M", "--runs", "1", "--json");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = Json.MAPPER.readTree(r.out());
        for (String key : new String[] {"explicit-ns-per-write", "untracked-ns-per-write", "hash-scan-ms"}) {
            assertThat(j.path(key).asDouble()).as(key).isPositive();
        }
        boolean kernel = io.godwit.ram.DirtyTracking.kernel().available();
        for (String key : new String[] {"kernel-ns-per-write", "kernel-steady-ns-per-write", "kernel-scan-ms"}) {
            assertThat(j.path(key).isNumber()).as(key).isEqualTo(kernel);
        }
        assertThat(j.path("kernel-unavailable").isNull()).isEqualTo(kernel);
    }

    @Test
    void runRefusesAnUnknownDirtyTrackingBackend() {
        CliRun r = run("run", "--dirty-tracking", "soft-dirty");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("dirty tracking must be auto, kernel, hash or explicit, not 'soft-dirty'");
    }

    @Test
    void benchDevicesJsonHasARowPerPolicy() throws Exception {
        CliRun r = run("bench", "devices", "--ram", "32M", "--ram-dirty", "16M", "--device-size", "16M",
                "--device-dirty", "1M", "--load-rate", "64M", "--json");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode rows = Json.MAPPER.readTree(r.out());
        assertThat(rows.findValuesAsText("policy")).containsExactly("legacy", "threshold", "switchover-ack", "cost-aware",
                "legacy", "legacy");
        // then the device state of 4 devices on the main channel (0) and on the multifd channels (4)
        assertThat(rows.findValues("channels")).extracting(JsonNode::asInt).containsExactly(0, 0, 0, 0, 0, 4);
        assertThat(rows.findValues("devices")).extracting(JsonNode::asInt).containsExactly(1, 1, 1, 1, 4, 4);
        for (JsonNode row : rows) {
            assertThat(row.path("downtime-ms").asLong()).isGreaterThanOrEqualTo(0);
            assertThat(row.path("total-time-ms").asLong()).isPositive();
            assertThat(row.path("verified").asBoolean()).isTrue();
        }
    }

    @Test
    void refusesMalformedSizeWithUsageError() {
        CliRun r = run("demo", "--ram", "lots");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("'lots' is not a size");
    }

    @Test
    void parsesSizesWithBinarySuffixes() {
        assertThat(Sizes.parse("4096")).isEqualTo(4096);
        assertThat(Sizes.parse("512K")).isEqualTo(512 << 10);
        assertThat(Sizes.parse("256M")).isEqualTo(256L << 20);
        assertThat(Sizes.parse("1G")).isEqualTo(1L << 30);
        assertThat(Sizes.parse("2GiB")).isEqualTo(2L << 30);
        assertThat(Sizes.format(1536)).isEqualTo("1.5 KiB");
    }
}

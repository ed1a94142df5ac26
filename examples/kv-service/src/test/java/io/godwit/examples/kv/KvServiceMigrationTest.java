package io.godwit.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationStatus;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import io.godwit.api.RegionOptions;
import io.godwit.ram.DirtyTracking;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

/**
 * The service end to end in this JVM: real HTTP, a real tcp migration socket, clients reading and
 * writing throughout. The clients follow the switch and never read a stale value; the table the
 * destination went live with is the table the source stopped with.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KvServiceMigrationTest {
    static final long SIZE = 16 << 20;
    static final Duration WAIT = Duration.ofSeconds(60);

    static KvService source() throws Exception {
        return source(DirtyTracking.Mode.AUTO);
    }

    static KvService source(DirtyTracking.Mode tracking) throws Exception {
        return KvService.start(KvService.Config.source("src", SIZE)
                .withRegion(RegionOptions.defaults().withTracking(tracking)), System.err);
    }

    static KvService destination() throws Exception {
        return KvService.start(KvService.Config.source("dst", SIZE).withIncoming("tcp:127.0.0.1:0")
                .withSnapshotAtLive(true), System.err);
    }

    static URI migrate(KvService src, KvService dst, String extra) {
        return src.httpUri().resolve("/admin/migrate?uri=" + enc(dst.incomingAddress()) + "&redirect="
                + enc(dst.httpUri().toString()) + extra);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(value = DirtyTracking.Mode.class, names = {"AUTO", "HASH", "EXPLICIT"})
    void migratesUnderLoadAndTheClientsFollowWithoutStaleReads(DirtyTracking.Mode tracking) throws Exception {
        try (KvService src = source(tracking); KvService dst = destination();
                LoadGenerator load = new LoadGenerator(src.httpUri(), 4, 64, 0.5, 100, 1)) {
            assertThat(Http.json("GET", dst.httpUri().resolve("/health")).path("serving").asText()).isEqualTo("incoming");
            load.start();
            load.awaitMoreRequests(1000, WAIT);

            JsonNode started = Http.json("POST", migrate(src, dst, ""));
            MigrationInfo info = src.node().currentMigration().await(WAIT);
            load.awaitAllAnsweredAt(dst.httpUri(), 50, WAIT);
            load.stop();
            load.verifyAllKeys();
            LoadGenerator.Report r = load.report();

            assertThat(started.path("status").asText()).isIn("none", "setup", "active");
            assertThat(info.status()).as(String.valueOf(info.errorDesc())).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(r.errors()).as(r.errorSamples().toString()).isZero();
            assertThat(r.staleReads()).as(r.errorSamples().toString()).isZero();
            assertThat(r.clientsMoved()).isEqualTo(4);
            JsonNode srcDigest = Http.json("GET", src.httpUri().resolve("/digest"));
            JsonNode dstDigest = Http.json("GET", dst.httpUri().resolve("/digest"));
            assertThat(srcDigest.path("node").asText()).isEqualTo("postmigrate");
            assertThat(dstDigest.path("live-digest").asText()).isEqualTo(srcDigest.path("digest").asText());
            assertThat(Http.json("GET", src.httpUri().resolve("/health")).path("serving").asText()).isEqualTo("moved");
            JsonNode health = Http.json("GET", dst.httpUri().resolve("/health"));
            assertThat(health.path("serving").asText()).isEqualTo("serving");
            assertThat(health.path("keys").asLong()).isEqualTo(load.keysWritten()).isPositive();
            assertThat(health.path("puts").asLong()).as("the counters came along in their handler")
                    .isGreaterThan(src.meta().puts.get() / 2);
        }
    }

    @Test
    void aCancelledMigrationLeavesTheSourceServingItsClients() throws Exception {
        try (KvService src = source(); KvService dst = destination();
                LoadGenerator load = new LoadGenerator(src.httpUri(), 2, 16, 0.5, 100, 2)) {
            load.start();
            load.awaitMoreRequests(200, WAIT);

            Http.json("POST", migrate(src, dst, "&max-bandwidth=1000")); // stays in pre-copy
            JsonNode cancel = Http.json("POST", src.httpUri().resolve("/admin/cancel"));
            MigrationInfo info = src.node().currentMigration().await(WAIT);
            load.awaitMoreRequests(200, WAIT);
            load.stop();
            load.verifyAllKeys();
            LoadGenerator.Report r = load.report();

            assertThat(cancel.path("cancelled").asBoolean()).isTrue();
            assertThat(info.status()).isEqualTo(MigrationStatus.CANCELLED);
            assertThat(Http.json("GET", src.httpUri().resolve("/admin/migration")).path("status").asText())
                    .isEqualTo("cancelled");
            assertThat(r.errors()).as(r.errorSamples().toString()).isZero();
            assertThat(r.staleReads()).isZero();
            assertThat(r.clientsMoved()).isZero();
            assertThat(Http.json("GET", src.httpUri().resolve("/health")).path("serving").asText()).isEqualTo("serving");
        }
    }

    @Test
    void aDestinationWithAnotherTableRefusesItAndTheSourceCarriesOn() throws Exception {
        try (KvService src = source();
                KvService dst = KvService.start(KvService.Config.source("dst", SIZE * 2)
                        .withIncoming("tcp:127.0.0.1:0"), System.err);
                LoadGenerator load = new LoadGenerator(src.httpUri(), 2, 16, 0.5, 100, 3)) {
            load.start();
            load.awaitMoreRequests(200, WAIT);
            String address = dst.incomingAddress();

            Http.json("POST", migrate(src, dst, ""));
            MigrationInfo info = src.node().currentMigration().await(WAIT);
            load.awaitMoreRequests(200, WAIT);
            load.stop();
            LoadGenerator.Report r = load.report();

            assertThat(info.status()).isEqualTo(MigrationStatus.FAILED);
            // the refusal is SHUT(1); whether it comes before or after the source's last section is timing
            assertThat(info.errorDesc()).contains("(SHUT status 1)");
            assertThat(r.errors()).as(r.errorSamples().toString()).isZero();
            assertThat(r.clientsMoved()).isZero();
            assertThat(Http.json("GET", src.httpUri().resolve("/health")).path("node").asText()).isEqualTo("running");
            awaitListening(dst, address);
        }
    }

    /** The destination listens again on the same address once its failed load has been reported. */
    private static void awaitListening(KvService dst, String address) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (dst.node().currentMigration().isDone() || !address.equals(dst.incomingAddress())) {
            assertThat(System.nanoTime()).as("destination listening again").isLessThan(deadline);
            Thread.sleep(5);
        }
        assertThat(dst.node().currentMigration().target()).isEqualTo(address);
    }

    @Test
    void refusesRequestsItCannotServe() throws Exception {
        try (KvService src = source()) {
            URI kv = src.httpUri().resolve("/kv/");
            assertThat(Http.send("PUT", kv.resolve("k"), "x".repeat(193)).statusCode()).isEqualTo(413);
            assertThat(Http.send("PUT", kv.resolve("k".repeat(49)), "v").statusCode()).isEqualTo(400);
            assertThat(Http.send("GET", kv.resolve("missing"), null).statusCode()).isEqualTo(404);
            assertThat(Http.send("POST", src.httpUri().resolve("/admin/migrate"), null).body())
                    .contains("missing query parameter 'uri'");
            assertThat(Http.send("POST", src.httpUri().resolve("/admin/migrate?uri=nowhere"), null).statusCode())
                    .isEqualTo(400);
            assertThat(Http.send("PUT", kv.resolve("k"), "v").headers().firstValue("X-Version")).hasValue("1");
        }
    }
}

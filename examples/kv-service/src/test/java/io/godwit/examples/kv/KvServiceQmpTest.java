package io.godwit.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.migration.MigrationStatus;
import io.godwit.qmp.QmpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The node's monitor served over QMP: a management client drives the service's node. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KvServiceQmpTest {

    @Test
    void aMigrationStartedOverQmpIsTheNodesMigration(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("src.qmp");
        try (KvService src = KvService.start(KvService.Config.source("src", 4 << 20).withQmp("unix:" + sock),
                        System.err);
                KvService dst = KvService.start(KvService.Config.source("dst", 4 << 20)
                        .withIncoming("tcp:127.0.0.1:0"), System.err);
                QmpClient qmp = QmpClient.connect("unix:" + sock)) {
            assertThat(Files.exists(sock)).isTrue();
            assertThat(Http.send("PUT", src.httpUri().resolve("/kv/k"), "before").statusCode()).isEqualTo(200);
            assertThat(qmp.execute("query-status").path("status").asText()).isEqualTo("running");

            qmp.execute("migrate", Map.of("uri", dst.incomingAddress()));
            awaitHandle(src);
            var info = src.node().currentMigration().await(Duration.ofSeconds(60));

            assertThat(info.status()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(src.node().currentMigration().target()).as("started over QMP").isNull();
            assertThat(qmp.execute("query-migrate").path("status").asText()).isEqualTo("completed");
            assertThat(qmp.execute("query-status").path("status").asText()).isEqualTo("postmigrate");
            var moved = Http.send("GET", src.httpUri().resolve("/kv/k"), null);
            assertThat(moved.statusCode()).as("nobody told the source where its clients should go").isEqualTo(503);
            assertThat(Http.send("GET", dst.httpUri().resolve("/kv/k"), null).body()).isEqualTo("before");
        }
    }

    private static void awaitHandle(KvService s) throws InterruptedException {
        while (s.node().currentMigration() == null) {
            Thread.sleep(5);
        }
    }
}

package io.godwit.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** xbzrle over QMP: the capability, the parameter with QEMU's check, and query-migrate's xbzrle-cache block. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class XbzrleQmpTest {
    @TempDir
    Path dir;

    private static Map<String, Object> caps(String name, boolean on) {
        return Map.of("capabilities", List.of(Map.of("capability", name, "state", on)));
    }

    @Test
    void theCacheSizeIsQemusParameterAndTheCacheBlockShowsInQueryMigrate() throws Exception {
        try (ServedMachine src = ServedMachine.source(dir, "src", 16 << 20);
                ServedMachine dst = ServedMachine.destination(dir, "dst", 16 << 20);
                QmpClient s = QmpClient.connect("unix:" + src.socket)) {
            assertThat(s.execute("query-migrate-parameters").path("xbzrle-cache-size").asLong()).isEqualTo(64L << 20);
            assertThatThrownBy(() -> s.execute("migrate-set-parameters", Map.of("xbzrle-cache-size", 5000)))
                    .isInstanceOf(QmpError.class).hasMessageContaining(
                            "Parameter 'xbzrle_cache_size' expects a power of two no less than the target page size");
            s.execute("migrate-set-parameters", Map.of("xbzrle-cache-size", 8 << 20));
            assertThat(s.execute("query-migrate-parameters").path("xbzrle-cache-size").asLong()).isEqualTo(8 << 20);

            s.execute("migrate-set-capabilities", caps("multifd", true));
            assertThatThrownBy(() -> s.execute("migrate-set-capabilities", caps("xbzrle", true)))
                    .isInstanceOf(QmpError.class).hasMessageContaining("Multifd is not compatible with xbzrle");
            s.execute("migrate-set-capabilities", caps("multifd", false));
            s.execute("migrate-set-capabilities", caps("xbzrle", true));

            String uri = dst.monitor.migrateIncoming("tcp:127.0.0.1:0");
            s.execute("migrate", Map.of("uri", uri));
            JsonNode q;
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!(q = s.execute("query-migrate")).path("status").asText().equals("completed")) {
                assertThat(q.path("status").asText()).isIn("setup", "active", "device");
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(10);
            }
            JsonNode x = q.path("xbzrle-cache");
            assertThat(x.isObject()).as("%s", q).isTrue();
            assertThat(iterable(x)).containsExactly("cache-size", "bytes", "pages", "cache-miss", "cache-miss-rate",
                    "encoding-rate", "overflow");
            assertThat(x.path("cache-size").asLong()).isEqualTo(8 << 20);
            assertThat(x.path("cache-miss-rate").isNumber()).isTrue();
        }
    }

    private static List<String> iterable(JsonNode n) {
        List<String> names = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

package io.godwit.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.machine.MachineDigest;
import io.godwit.migration.MigrationInfo;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes in this JVM over a real tcp socket: writers store into two regions with plain segment
 * stores throughout the migration; the state the destination starts with is exactly the state the
 * source stopped with.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TwoNodeMigrationTest {

    @Test
    void regionsWrittenDuringTheMigrationArriveEqual() throws Exception {
        try (Node src = Node.create("src"); Node dst = Node.create("dst")) {
            Region a = src.addRegion("a", 32 << 20);
            Region b = src.addRegion("b", 4 << 20);
            dst.addRegion("a", 32 << 20);
            dst.addRegion("b", 4 << 20);
            try (PlainWriters wa = new PlainWriters(a, 2, 1); PlainWriters wb = new PlainWriters(b, 1, 2)) {
                src.addListener(wa);
                src.addListener(wb);
                AtomicReference<MachineDigest.Digest> atLive = new AtomicReference<>();
                dst.addListener(new NodeListener() {
                    @Override
                    public void live() {
                        atLive.set(dst.digest()); // nothing writes here yet: the loaded state
                    }
                });
                src.start();
                wa.awaitMoreWrites(10_000);
                MigrationHandle in = dst.listen("tcp:127.0.0.1:0");
                MigrationHandle out = src.migrateTo(in.target());
                MigrationInfo info = out.await(Duration.ofSeconds(60));
                in.await(Duration.ofSeconds(60));

                assertThat(info.completed()).as(String.valueOf(info.errorDesc())).isTrue();
                assertThat(wa.writes()).isPositive();
                MachineDigest.Digest source = src.digest();
                assertThat(atLive.get().blocks()).isEqualTo(source.blocks());
                assertThat(dst.digest().overall()).isEqualTo(source.overall());
                assertThat(info.ram().total()).isEqualTo(36 << 20);
                assertThat(info.ram().dirtySyncCount()).isGreaterThanOrEqualTo(2);
            }
        }
    }
}

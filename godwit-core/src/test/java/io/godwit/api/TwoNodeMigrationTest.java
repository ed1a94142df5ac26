package io.godwit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.godwit.machine.MachineDigest;
import io.godwit.migration.MigrationInfo;
import io.godwit.ram.DirtyTracking;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes in this JVM over a real tcp socket: writers store into two regions with plain segment
 * stores throughout the migration; the state the destination starts with is exactly the state the
 * source stopped with, whichever tracker found the stores (only explicit tracking is told of them).
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TwoNodeMigrationTest {

    @ParameterizedTest
    @EnumSource(DirtyTracking.Mode.class)
    void regionsWrittenWithPlainStoresDuringTheMigrationArriveEqual(DirtyTracking.Mode mode) throws Exception {
        assumeTrue(mode != DirtyTracking.Mode.KERNEL || DirtyTracking.kernel().available(),
                () -> "kernel tracking unavailable here: " + DirtyTracking.kernel().reason());
        try (Node src = Node.create("src"); Node dst = Node.create("dst")) {
            src.setDefaultTracking(mode);
            Region a = src.addRegion("a", 32 << 20);
            Region b = src.addRegion("b", 4 << 20);
            dst.addRegion("a", 32 << 20);
            dst.addRegion("b", 4 << 20);
            assertThat(a.tracking()).isEqualTo(mode == DirtyTracking.Mode.AUTO ? expectedAuto() : mode.cliName());
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
                MachineDigest.Digest source = src.digest();
                assertThat(atLive.get().blocks()).isEqualTo(source.blocks());
                assertThat(dst.digest().overall()).isEqualTo(source.overall());
                assertThat(info.ram().total()).isEqualTo(36 << 20);
                assertThat(info.ram().dirtySyncCount()).isGreaterThanOrEqualTo(2);
                assertThat(info.ram().dirtyTracking()).isEqualTo(a.tracking());
            }
        }
    }

    private static String expectedAuto() {
        return DirtyTracking.kernel().available() ? "kernel" : "hash";
    }
}

package io.godwit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.godwit.migration.MigrationInfo;
import io.godwit.options.Capability;
import io.godwit.ram.DirtyTracking;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An embedder turns xbzrle on and sizes its cache through the node; the migration's info carries
 * the xbzrle-cache figures, and regions written with plain stores arrive equal whichever tracker
 * finds the stores (the cache holds what was sent, not what a later read of the page says).
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NodeXbzrleTest {

    @ParameterizedTest
    @EnumSource(DirtyTracking.Mode.class)
    void regionsArriveEqualWithXbzrleAndTheInfoShowsTheCache(DirtyTracking.Mode mode) throws Exception {
        assumeTrue(mode != DirtyTracking.Mode.KERNEL || DirtyTracking.kernel().available(),
                () -> "kernel tracking unavailable here: " + DirtyTracking.kernel().reason());
        try (Node src = Node.create("src"); Node dst = Node.create("dst")) {
            src.setDefaultTracking(mode);
            Region a = src.addRegion("a", 16 << 20);
            dst.addRegion("a", 16 << 20);
            src.setCapability(Capability.XBZRLE, true);
            src.setParameter("xbzrle-cache-size", 1 << 20);
            try (PlainWriters w = new PlainWriters(a, 2, 3)) {
                src.addListener(w);
                src.start();
                w.awaitMoreWrites(10_000);
                MigrationHandle in = dst.listen("tcp:127.0.0.1:0");
                MigrationInfo info = src.migrateTo(in.target()).await(Duration.ofSeconds(60));
                in.await(Duration.ofSeconds(60));

                assertThat(info.completed()).as(String.valueOf(info.errorDesc())).isTrue();
                assertThat(dst.digest().overall()).isEqualTo(src.digest().overall());
                assertThat(info.xbzrleCache()).isNotNull();
                assertThat(info.xbzrleCache().cacheSize()).isEqualTo(1 << 20);
            }
        }
    }

    @Test
    void aCacheSizeThatIsNoPowerOfTwoIsRefused() {
        try (Node n = Node.create("n")) {
            assertThatIllegalArgumentException().isThrownBy(() -> n.setParameter("xbzrle-cache-size", 3 << 20))
                    .withMessage("Parameter 'xbzrle_cache_size' expects a power of two no less than the target page size");
        }
    }
}

package io.godwit.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.migration.MigrationInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The documented example runs, completes, and its digest check holds. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TinyCacheTest {

    @Test
    void theDocumentedExampleMigratesItsCacheLive() throws Exception {
        MigrationInfo info = TinyCache.run();

        assertThat(info.completed()).as(String.valueOf(info.errorDesc())).isTrue();
        assertThat(info.ram().total()).isEqualTo(TinyCache.SIZE);
    }
}

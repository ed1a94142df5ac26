package io.godwit.ram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.godwit.ram.DirtyTracking.Availability;
import io.godwit.ram.DirtyTracking.Mode;
import org.junit.jupiter.api.Test;

/** Choosing a backend: auto falls back to hash and says why; a forced backend that cannot work is refused. */
class DirtyTrackingTest {
    static final Availability NO_KERNEL = new Availability(false, "the kernel lacks UFFD_FEATURE_WP_ASYNC (Linux 6.7+)");
    static final Availability KERNEL = new Availability(true, null);

    @Test
    void parsesTheCliNames() {
        assertThat(Mode.parse("auto")).isEqualTo(Mode.AUTO);
        assertThat(Mode.parse("kernel")).isEqualTo(Mode.KERNEL);
        assertThat(Mode.parse("hash")).isEqualTo(Mode.HASH);
        assertThat(Mode.parse("explicit")).isEqualTo(Mode.EXPLICIT);
        assertThatThrownBy(() -> Mode.parse("soft-dirty")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dirty tracking must be auto, kernel, hash or explicit, not 'soft-dirty'");
    }

    @Test
    void autoTakesTheKernelWhereItWorks() {
        assertThat(DirtyTracking.create(Mode.AUTO, KERNEL).name()).isEqualTo("kernel");
    }

    @Test
    void autoFallsBackToHashAndSaysWhy() {
        DirtyTracker t = DirtyTracking.create(Mode.AUTO, NO_KERNEL);
        assertThat(t.name()).isEqualTo("hash");
        assertThat(t.description()).endsWith("; kernel unavailable: the kernel lacks UFFD_FEATURE_WP_ASYNC (Linux 6.7+)");
    }

    @Test
    void refusesForcedKernelTrackingWhereItCannotWork() {
        assertThatThrownBy(() -> DirtyTracking.create(Mode.KERNEL, NO_KERNEL)).isInstanceOf(IllegalStateException.class)
                .hasMessage("kernel dirty tracking is unavailable: the kernel lacks UFFD_FEATURE_WP_ASYNC (Linux 6.7+)");
    }

    @Test
    void explicitAndHashNeedNothingFromTheKernel() {
        assertThat(DirtyTracking.create(Mode.EXPLICIT, NO_KERNEL)).isSameAs(DirtyTracker.EXPLICIT);
        assertThat(DirtyTracking.create(Mode.HASH, NO_KERNEL).name()).isEqualTo("hash");
    }
}

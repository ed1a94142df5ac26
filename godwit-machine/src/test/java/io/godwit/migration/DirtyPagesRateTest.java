package io.godwit.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.machine.Machine;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.Parameters;
import io.godwit.ram.RamBlock;
import io.godwit.reference.workload.RandomWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** query-migrate's dirty-pages-rate is the writers' rate, and known before the migration ends. */
class DirtyPagesRateTest {
    private static final long MIB = 1 << 20;

    @Test
    void dirtyPagesRateIsTheWritersRateFromTheSecondPassOn() throws Exception {
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst")) {
            RamBlock ram = src.addRam("pc.ram", 512 * MIB, true);
            dst.addRam("pc.ram", 512 * MIB, true);
            src.addWorkload(new RandomWriter(32 * MIB, 3)); // 8192 pages/s over 131072: few written twice
            src.start();
            while (marked(ram) < 8192) { // the writer is past its start-up
                Thread.sleep(10);
            }
            LocalMigration m = new LocalMigration(src, dst, Parameters.defaults().withMaxBandwidth(128 * MIB)
                    .withDowntimeLimitMs(50), Capabilities.of(Capability.RETURN_PATH), MigrationListener.NONE);
            m.start();
            // while it runs, once the bulk pass (4 s at 128 MiB/s) has ended, the rate is known
            long rateDuringPass2 = -1;
            while (m.source().status().isActive() || m.source().status() == MigrationStatus.NONE) {
                MigrationInfo i = m.source().info();
                if (i.ram() != null && i.ram().dirtySyncCount() >= 2 && i.status().isActive() && rateDuringPass2 < 0) {
                    rateDuringPass2 = i.ram().dirtyPagesRate();
                }
                Thread.sleep(5);
            }
            LocalMigration.Result r = m.await(Duration.ofMinutes(2));
            assertThat(rateDuringPass2).as("dirty-pages-rate seen during pass 2").isPositive();
            assertThat(r.completed()).as("%s", r).isTrue();
            double rate = r.source().ram().dirtyPagesRate() * 4096.0;
            assertThat(rate / (32 * MIB)).as("dirty-pages-rate %s B/s", rate).isBetween(0.8, 1.2);
            assertThat(r.source().ram().dirtySyncCount()).isGreaterThanOrEqualTo(3);
        }
    }

    private static long marked(RamBlock ram) {
        long n = 0;
        for (int w = 0; w < ram.dirtyBitmap().wordCount(); w++) {
            n += Long.bitCount(ram.dirtyBitmap().word(w));
        }
        return n;
    }
}

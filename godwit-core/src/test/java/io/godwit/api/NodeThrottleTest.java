package io.godwit.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationStatus;
import io.godwit.options.Capability;
import io.godwit.ram.DirtyTracking;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * auto-converge for a service: its own writer thread slows itself by the percentage the node's
 * throttled callback gives (as docs/embedding.md shows), and a migration that could not converge
 * with the writer at full speed completes; the callback ends with 0.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NodeThrottleTest {
    private static final long SIZE = 8 << 20;

    /** A writer that stores into random pages, quiesces on stopped(), and paces itself by the throttle. */
    static final class PacedWriter implements NodeListener, AutoCloseable {
        final List<Integer> heard = new CopyOnWriteArrayList<>();
        final AtomicLong stores = new AtomicLong();
        private volatile int percent;
        private volatile boolean paused;
        private volatile boolean inside;
        private volatile boolean done;
        private final Thread thread;

        PacedWriter(Region region) {
            thread = Thread.ofPlatform().daemon().start(() -> run(region));
        }

        private void run(Region region) {
            SplittableRandom r = new SplittableRandom(3);
            long sliceStart = System.nanoTime();
            while (!done) {
                inside = true;
                if (!paused) {
                    long off = r.nextLong(SIZE / 8) * 8;
                    region.segment().set(ValueLayout.JAVA_LONG, off, r.nextLong());
                    region.markWritten(off, 8);
                    stores.incrementAndGet();
                }
                inside = false;
                LockSupport.parkNanos(50_000);
                int p = percent; // the pacing of docs/embedding.md
                long ran = System.nanoTime() - sliceStart;
                if (p == 0 || ran >= 10_000_000) {
                    if (p > 0) {
                        LockSupport.parkNanos(ran * p / (100 - p));
                    }
                    sliceStart = System.nanoTime();
                }
            }
        }

        @Override
        public void throttled(int pct) {
            heard.add(pct);
            percent = pct;
        }

        @Override
        public void stopped() {
            paused = true;
            while (inside) {
                Thread.onSpinWait();
            }
        }

        @Override
        public void resumed() {
            paused = false;
        }

        @Override
        public void close() throws InterruptedException {
            done = true;
            thread.join();
        }
    }

    @Test
    void theServiceSlowsItsWriterByTheCallbackUntilTheMigrationConverges() throws Exception {
        RegionOptions explicit = RegionOptions.defaults().withTracking(DirtyTracking.Mode.EXPLICIT);
        try (Node dst = Node.create("dst"); Node src = Node.create("src")) {
            dst.addRegion("table", SIZE, explicit);
            MigrationHandle in = dst.listen("tcp:127.0.0.1:0");
            Region table = src.addRegion("table", SIZE, explicit);
            src.setCapability(Capability.AUTO_CONVERGE, true);
            src.setParameter("cpu-throttle-initial", 90);
            src.setMaxBandwidth(4 << 20);
            src.setDowntimeLimit(Duration.ofMillis(50));
            src.start();
            try (PacedWriter writer = new PacedWriter(table)) {
                src.addListener(writer);
                long before = writer.stores.get();
                while (writer.stores.get() < before + 1000) {
                    Thread.sleep(1);
                }
                MigrationInfo info = src.migrateTo(in.target()).await(Duration.ofMinutes(2));

                assertThat(info.status()).as(String.valueOf(info.errorDesc())).isEqualTo(MigrationStatus.COMPLETED);
                assertThat(writer.heard).as("raised, then 0 at the end").startsWith(90).endsWith(0);
                assertThat(writer.heard.subList(0, writer.heard.size() - 1)).allMatch(p -> p >= 90);
                assertThat(info.throttle().cpuThrottlePeak()).isGreaterThanOrEqualTo(90);
                assertThat(in.await(Duration.ofMinutes(1)).status()).isEqualTo(MigrationStatus.COMPLETED);
                assertThat(dst.digest().overall()).isEqualTo(src.digest().overall());
            }
        }
    }
}

package io.godwit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.godwit.dirtyrate.DirtyRateInfo;
import io.godwit.dirtyrate.DirtyRateMode;
import io.godwit.dirtyrate.DirtyRateStatus;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** An embedding service measures how fast its regions are dirtied through the Node. */
class NodeDirtyRateTest {
    private static final long SIZE = 64 << 20;

    @Test
    void pageSamplingSeesPlainStoresToEveryPage() throws Exception {
        try (Node node = Node.create("n")) {
            Region r = node.addRegion("table", SIZE);
            node.start();
            AtomicBoolean stop = new AtomicBoolean();
            long[] sweeps = {0};
            Thread writer = Thread.ofPlatform().start(() -> { // rewrites every page over and over
                for (long v = 1; !stop.get(); v++) {
                    for (long off = 0; off < SIZE; off += 4096) {
                        r.segment().set(ValueLayout.JAVA_LONG, off, v);
                    }
                    r.markWritten(0, SIZE);
                    sweeps[0] = v;
                }
            });
            try {
                while (sweeps[0] < 1) { // the writer has been over every page: it runs
                    Thread.sleep(5);
                }
                DirtyRateInfo i = node.measureDirtyRate(Duration.ofSeconds(1), DirtyRateMode.PAGE_SAMPLING);
                assertThat(i.status()).isEqualTo(DirtyRateStatus.MEASURED);
                // every sampled page changed: the rate is the whole region over the window as measured
                assertThat(i.dirtyBytesPerSecond()).isCloseTo(SIZE * 1000.0 / i.calcTimeMs(), within(SIZE * 0.02));
                assertThat(i.samplePages()).isEqualTo(512);
            } finally {
                stop.set(true);
                writer.join();
            }
        }
    }
}

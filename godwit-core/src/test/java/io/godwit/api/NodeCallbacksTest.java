package io.godwit.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.machine.RunState;
import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The callbacks a service gets, in order, over a real tcp socket: a completed migration, a cancel
 * after the source stopped, a destination that refuses the state, a cancel in pre-copy.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NodeCallbacksTest {
    static final long SIZE = 8 << 20;
    static final Duration WAIT = Duration.ofSeconds(60);

    /** A source with a region under plain-store writers and a counter handler. */
    record Source(Node node, Region region, PlainWriters writers, Recorder recorder, CounterHandler counter)
            implements AutoCloseable {
        static Source start(String name, long counter) throws InterruptedException {
            Node n = Node.create(name);
            Region r = n.addRegion("table", SIZE);
            CounterHandler c = new CounterHandler(counter, false);
            n.register("counter", 0, 1, c);
            PlainWriters w = new PlainWriters(r, 2, 7);
            Recorder rec = new Recorder();
            n.addListener(w);
            n.addListener(rec);
            n.start();
            w.awaitMoreWrites(1000);
            return new Source(n, r, w, rec, c);
        }

        @Override
        public void close() throws InterruptedException {
            writers.close();
            node.close();
        }
    }

    /** A destination node with the same state, listening on a free loopback port. */
    record Destination(Node node, Recorder recorder, CounterHandler counter, MigrationHandle in)
            implements AutoCloseable {
        static Destination listen(String name, boolean refuseLoad) throws Exception {
            Node n = Node.create(name);
            n.addRegion("table", SIZE);
            CounterHandler c = new CounterHandler(0, refuseLoad);
            n.register("counter", 0, 1, c);
            Recorder rec = new Recorder();
            n.addListener(rec);
            return new Destination(n, rec, c, n.listen("tcp:127.0.0.1:0"));
        }

        @Override
        public void close() {
            node.close();
        }
    }

    @Test
    void theSourceStopsThenCompletesAndTheDestinationGoesLiveWithTheState() throws Exception {
        try (Source src = Source.start("src", 42); Destination dst = Destination.listen("dst", false)) {
            List<MigrationStatus> progress = new CopyOnWriteArrayList<>();
            src.node().addListener(new NodeListener() {
                @Override
                public void progress(MigrationInfo info) {
                    progress.add(info.status());
                }
            });
            MigrationHandle out = src.node().migrateTo(dst.in().target());

            MigrationInfo info = out.await(WAIT);
            MigrationInfo dstInfo = dst.in().await(WAIT);
            src.recorder().finished.await(30, TimeUnit.SECONDS);
            dst.recorder().finished.await(30, TimeUnit.SECONDS);

            assertThat(info.status()).as(String.valueOf(info.errorDesc())).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(dstInfo.status()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(src.recorder().events()).containsExactly("stopped", "finished:completed");
            assertThat(dst.recorder().events()).containsExactly("live", "finished:completed");
            assertThat(progress.stream().distinct()).as("statuses heard, each once per pass or change")
                    .containsExactly(MigrationStatus.SETUP, MigrationStatus.ACTIVE, MigrationStatus.DEVICE,
                            MigrationStatus.COMPLETED);
            assertThat(src.node().state()).isEqualTo(RunState.POSTMIGRATE);
            assertThat(dst.node().state()).isEqualTo(RunState.RUNNING);
            assertThat(dst.counter().value).isEqualTo(42);
            assertThat(info.downtimeMs()).isGreaterThanOrEqualTo(0);
            assertThat(info.ram().total()).isEqualTo(SIZE);
            assertThat(dst.node().digest().overall()).isEqualTo(src.node().digest().overall());
        }
    }

    @Test
    void aCancelAfterTheStopResumesTheSourceWhichKeepsWritingAndMigratesLater() throws Exception {
        try (Source src = Source.start("src", 7); Destination first = Destination.listen("first", false)) {
            CountDownLatch stopped = new CountDownLatch(1);
            CountDownLatch cancelled = new CountDownLatch(1);
            src.node().addListener(new NodeListener() {
                @Override
                public void stopped() {
                    stopped.countDown();
                    try {
                        cancelled.await(); // the test cancels while the source is stopped
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            MigrationHandle out = src.node().migrateTo(first.in().target());
            stopped.await();
            boolean cancelledInTime = out.cancel();
            cancelled.countDown();

            assertThat(cancelledInTime).isTrue();
            assertThat(out.await(WAIT).status()).isEqualTo(MigrationStatus.CANCELLED);
            assertThat(first.in().await(WAIT).status()).isEqualTo(MigrationStatus.FAILED);
            src.recorder().finished.await(30, TimeUnit.SECONDS);
            first.recorder().finished.await(30, TimeUnit.SECONDS); // heard after await() returns, on its own thread
            assertThat(src.recorder().events()).containsExactly("stopped", "resumed", "finished:cancelled");
            assertThat(first.recorder().events()).containsExactly("finished:failed");
            assertThat(src.node().state()).isEqualTo(RunState.RUNNING);
            src.writers().awaitMoreWrites(1000);

            try (Destination second = Destination.listen("second", false)) {
                assertThat(src.node().migrateTo(second.in().target()).await(WAIT).completed()).isTrue();
                assertThat(second.in().await(WAIT).completed()).isTrue();
                assertThat(second.node().digest().overall()).isEqualTo(src.node().digest().overall());
            }
        }
    }

    @Test
    void aDestinationThatRefusesTheStateLeavesTheSourceResumed() throws Exception {
        try (Source src = Source.start("src", 9); Destination dst = Destination.listen("dst", true)) {
            MigrationInfo info = src.node().migrateTo(dst.in().target()).await(WAIT);
            MigrationInfo dstInfo = dst.in().await(WAIT);
            src.recorder().finished.await(30, TimeUnit.SECONDS);
            dst.recorder().finished.await(30, TimeUnit.SECONDS);

            assertThat(info.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(info.errorDesc()).contains("the destination failed to load the state");
            assertThat(dstInfo.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(dstInfo.errorDesc()).contains("this destination refuses the state");
            assertThat(src.recorder().events()).containsExactly("stopped", "resumed", "finished:failed");
            assertThat(dst.recorder().events()).containsExactly("finished:failed");
            assertThat(src.node().state()).isEqualTo(RunState.RUNNING);
            assertThat(dst.node().state()).isEqualTo(RunState.INMIGRATE);
            src.writers().awaitMoreWrites(1000);
        }
    }

    @Test
    void aCancelInPrecopyNeverStopsTheSource() throws Exception {
        try (Source src = Source.start("src", 1); Destination dst = Destination.listen("dst", false)) {
            src.node().setMaxBandwidth(1000);
            MigrationHandle out = src.node().migrateTo(dst.in().target());
            out.completion().complete(null); // a fresh stage: the handle itself cannot be completed from outside

            assertThat(out.isDone()).isFalse();
            assertThat(out.cancel()).isTrue();
            assertThat(out.await(WAIT).status()).isEqualTo(MigrationStatus.CANCELLED);
            src.recorder().finished.await(30, TimeUnit.SECONDS);
            assertThat(src.recorder().events()).containsExactly("finished:cancelled");
            assertThat(src.node().state()).isEqualTo(RunState.RUNNING);
        }
    }
}

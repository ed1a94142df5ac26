package io.godwit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.godwit.machine.RunState;
import io.godwit.migration.MigrationStatus;
import io.godwit.options.Capability;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a node refuses, and how it says so. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NodeMisuseTest {

    @Test
    void refusesARegionNameTwice() {
        try (Node node = Node.create("n")) {
            node.addRegion("table", 1 << 20);

            assertThatThrownBy(() -> node.addRegion("table", 2 << 20))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has a region 'table'");
            assertThat(node.regions()).hasSize(1);
        }
    }

    @Test
    void refusesBadRegionSizesAndTheRegionsIdstrForAHandler() {
        try (Node node = Node.create("n")) {
            assertThatThrownBy(() -> node.addRegion("odd", 4097)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("multiple of 4096");
            assertThatThrownBy(() -> node.register("ram", 0, 4, new CounterHandler(0, false)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ram/0 is already registered");
        }
    }

    @Test
    void refusesStateAddedAfterStartOrListen() throws Exception {
        try (Node src = Node.create("src"); Node dst = Node.create("dst")) {
            src.start();
            dst.listen("tcp:127.0.0.1:0");

            assertThatThrownBy(() -> src.addRegion("late", 1 << 20)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("add all state before start() or listen()");
            assertThatThrownBy(() -> dst.register("late", 0, 1, new CounterHandler(0, false)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("listening");
            assertThatThrownBy(src::start).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void refusesToMigrateANodeThatHasNotStartedOrToListenOnOneThatHasRun() throws Exception {
        try (Node node = Node.create("n")) {
            assertThatThrownBy(() -> node.migrateTo("tcp:127.0.0.1:1")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("call start() first");
            node.start();
            assertThatThrownBy(() -> node.listen("tcp:127.0.0.1:0")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("only a new node can receive state");
        }
    }

    @Test
    void refusesMalformedUrisAndOptionsGodwitDoesNotHave() {
        try (Node node = Node.create("n")) {
            node.start();
            assertThatThrownBy(() -> node.migrateTo("http://x")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unsupported migration URI scheme 'http'");
            assertThatThrownBy(() -> node.setCapability(Capability.X_COLO, true))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not supported");
            assertThatThrownBy(() -> node.setParameter("no-such-thing", 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'no-such-thing'");
            assertThatThrownBy(() -> node.setParameter("downtime-limit", -1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void refusesASecondMigrationWhileOneIsUnderWayAndAwaitTimesOut() throws Exception {
        try (Node src = Node.create("src"); Node dst = Node.create("dst")) {
            src.addRegion("table", 4 << 20);
            dst.addRegion("table", 4 << 20);
            src.setMaxBandwidth(1000); // a few bytes per window: it stays in pre-copy until cancelled
            src.start();
            MigrationHandle in = dst.listen("tcp:127.0.0.1:0");
            MigrationHandle out = src.migrateTo(in.target());

            assertThatThrownBy(() -> src.migrateTo(in.target())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has a migration under way (outgoing");
            assertThatThrownBy(() -> dst.listen("tcp:127.0.0.1:0")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has a migration under way (incoming");
            assertThatThrownBy(() -> src.setCapability(Capability.RETURN_PATH, false))
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> out.await(Duration.ofMillis(50))).isInstanceOf(TimeoutException.class);
            assertThat(in.cancel()).as("an incoming migration is cancelled from its source").isFalse();
            // the destination is loading (it read the header) before the source cancels: a connection
            // that closes before its header only ends that connection, and the listener waits on
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (in.info().status() != MigrationStatus.ACTIVE && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(in.info().status()).isEqualTo(MigrationStatus.ACTIVE);

            assertThat(out.cancel()).isTrue();
            assertThat(out.await(Duration.ofSeconds(30)).status()).isEqualTo(MigrationStatus.CANCELLED);
            assertThat(in.await(Duration.ofSeconds(30)).status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(src.state()).isEqualTo(RunState.RUNNING);
        }
    }

    @Test
    void closeEndsAWaitingListenFreesTheRegionsAndRefusesFurtherUse() throws Exception {
        Node node = Node.create("n");
        Region r = node.addRegion("table", 1 << 20);
        MigrationHandle in = node.listen("tcp:127.0.0.1:0");

        node.close();
        node.close(); // idempotent

        assertThat(in.await(Duration.ofSeconds(10)).status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(in.info().errorDesc()).contains("closed before a source connected");
        assertThat(node.state()).isEqualTo(RunState.SHUTDOWN);
        assertThatThrownBy(() -> r.segment().get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> node.addRegion("more", 1 << 20)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> node.listen("tcp:127.0.0.1:0")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void refusesCloseFromACallback() throws Exception {
        try (Node src = Node.create("src"); Node dst = Node.create("dst")) {
            src.addRegion("table", 1 << 20);
            dst.addRegion("table", 1 << 20);
            java.util.concurrent.atomic.AtomicReference<Throwable> seen = new java.util.concurrent.atomic.AtomicReference<>();
            src.addListener(new NodeListener() {
                @Override
                public void stopped() {
                    try {
                        src.close();
                    } catch (IllegalStateException e) {
                        seen.set(e);
                    }
                }
            });
            src.start();
            MigrationHandle in = dst.listen("tcp:127.0.0.1:0");

            assertThat(src.migrateTo(in.target()).await(Duration.ofSeconds(30)).completed()).isTrue();
            assertThat(seen.get()).hasMessageContaining("from a node callback");
        }
    }
}

package io.godwit.examples.kv;

import static io.godwit.examples.kv.KvTable.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.godwit.api.Node;
import io.godwit.api.Region;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The table in its region: what it stores, where, and what it refuses. */
class KvTableTest {

    @Test
    void storesValuesWithVersionsInTheRegionItself() {
        try (Node node = Node.create("t")) {
            Region r = node.addRegion("kv.table", 64 << 10);
            KvTable t = new KvTable(r);
            assertThat(t.formatted()).isFalse();
            t.format();

            assertThat(t.get(utf8("a"))).isNull();
            assertThat(t.put(utf8("a"), utf8("one"))).isEqualTo(1);
            assertThat(t.put(utf8("a"), utf8("two!"))).isEqualTo(2);
            assertThat(t.put(utf8("b"), utf8(""))).isEqualTo(1);

            assertThat(new String(t.get(utf8("a")).value())).isEqualTo("two!");
            assertThat(t.get(utf8("a")).version()).isEqualTo(2);
            assertThat(t.get(utf8("b")).value()).isEmpty();
            assertThat(t.entries()).isEqualTo(2);
            // A second table over the same memory sees the same entries: nothing lives on the heap.
            KvTable again = new KvTable(r);
            assertThat(again.formatted()).isTrue();
            assertThat(new String(again.get(utf8("a")).value())).isEqualTo("two!");
            assertThat(r.segment().get(ValueLayout.JAVA_LONG, 0)).isNotZero();
        }
    }

    @Test
    void aSnapshotKeepsTheTableAsItWasWhileWritesGoOn() {
        try (Node node = Node.create("t"); java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            Region r = node.addRegion("kv.table", 65 * 4096);
            KvTable t = new KvTable(r);
            t.format();
            for (int i = 0; i < 200; i++) {
                t.put(utf8("k" + i), utf8("v" + i));
            }
            String before = KvTable.sha256(r.segment());
            assertThat(t.snapshotSha256()).as("no snapshot yet").isNull();

            t.startSnapshot(arena.allocate(r.size()));
            for (int i = 0; i < 300; i += 3) {
                t.put(utf8("k" + i), utf8("changed"));
            }

            assertThat(KvTable.sha256(r.segment())).isNotEqualTo(before);
            assertThat(t.snapshotSha256()).isEqualTo(before);
            assertThat(t.snapshotPagesCopied()).isPositive().isLessThanOrEqualTo(t.buckets());
            assertThat(new String(t.get(utf8("k0")).value())).isEqualTo("changed");
        }
    }

    @Test
    void aFullBucketIsRefusedWithAClearMessage() {
        try (Node node = Node.create("t")) {
            KvTable t = new KvTable(node.addRegion("kv.table", 2 * 4096)); // one bucket of 16 slots
            t.format();
            for (int i = 0; i < 16; i++) {
                t.put(utf8("k" + i), utf8("v"));
            }
            assertThatThrownBy(() -> t.put(utf8("k16"), utf8("v"))).isInstanceOf(KvTable.TableFullException.class)
                    .hasMessageContaining("is full (16 keys)");
            assertThat(t.put(utf8("k3"), utf8("w"))).as("an existing key still updates").isEqualTo(2);
        }
    }

    @Test
    void refusesKeysAndValuesThatDoNotFitASlot() {
        try (Node node = Node.create("t")) {
            KvTable t = new KvTable(node.addRegion("kv.table", 4 * 4096));
            t.format();
            assertThatThrownBy(() -> t.put(new byte[0], utf8("v"))).hasMessageContaining("expected 1 to 48");
            assertThatThrownBy(() -> t.put(new byte[49], utf8("v"))).hasMessageContaining("key of 49 bytes");
            assertThatThrownBy(() -> t.put(utf8("k"), new byte[193])).hasMessageContaining("at most 192");
            assertThatThrownBy(() -> new KvTable(node.addRegion("tiny", 4096))).hasMessageContaining("two pages");
        }
    }
}

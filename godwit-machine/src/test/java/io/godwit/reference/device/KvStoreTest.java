package io.godwit.reference.device;

import io.godwit.reference.device.KvStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The store behind the key-value device: copies in and out, a change log, and a checked digest. */
class KvStoreTest {
    final KvStore store = new KvStore();

    @Test
    void valuesAreCopiedInAndOut() {
        byte[] v = {1, 2, 3};
        store.put("k", v);
        v[0] = 9;
        assertThat(store.get("k")).containsExactly(1, 2, 3);
        store.get("k")[1] = 9;
        assertThat(store.get("k")).containsExactly(1, 2, 3);
    }

    @Test
    void removeSaysWhetherTheKeyWasThere() {
        store.put("k", new byte[1]);
        assertThat(store.remove("k")).isTrue();
        assertThat(store.remove("k")).isFalse();
        assertThat(store.size()).isZero();
        assertThat(store.get("k")).isNull();
    }

    @Test
    void theLogHearsEveryChangeAfterTheSnapshotInOrder() {
        store.put("b", new byte[] {2});
        store.put("a", new byte[] {1});
        List<String> log = new ArrayList<>();
        List<KvStore.Mutation> snapshot = store.snapshotAndLog(m -> log.add(m.key() + (m.value() == null ? "-" : "+")));
        assertThat(snapshot).extracting(KvStore.Mutation::key).containsExactly("a", "b");
        store.put("c", new byte[] {3});
        store.remove("a");
        store.remove("zzz"); // absent: not a change
        assertThat(log).containsExactly("c+", "a-");
        store.snapshotAndLog(null);
        store.put("d", new byte[1]);
        assertThat(log).hasSize(2);
    }

    @Test
    void digestDependsOnContentNotOnOrderOfInsertion() {
        KvStore other = new KvStore();
        store.put("a", new byte[] {1});
        store.put("b", new byte[] {2});
        other.put("b", new byte[] {2});
        other.put("a", new byte[] {1});
        assertThat(other.digest()).isEqualTo(store.digest());
        other.put("a", new byte[] {1, 0});
        assertThat(other.digest()).isNotEqualTo(store.digest());
        other.put("a", new byte[] {1});
        other.put("c", new byte[0]);
        assertThat(other.digest()).isNotEqualTo(store.digest());
    }

    @SuppressWarnings("unchecked")
    private <T> T field(String name) throws ReflectiveOperationException {
        Field f = KvStore.class.getDeclaredField(name);
        f.setAccessible(true);
        return (T) f.get(store);
    }

    @Test
    void digestRefusesATableEntryMissingFromTheIndex() throws ReflectiveOperationException {
        store.put("a", new byte[] {1});
        Map<String, byte[]> table = field("table");
        table.put("ghost", new byte[] {2});
        assertThatThrownBy(store::digest).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("index holds 1 keys, table 2");
    }

    @Test
    void digestRefusesAnIndexEntryThatDisagreesWithTheTable() throws ReflectiveOperationException {
        store.put("a", new byte[] {1});
        store.put("b", new byte[] {2});
        Map<String, Integer> index = field("index");
        index.put("b", 5);
        assertThatThrownBy(store::digest).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("index entry for 'b' does not match the table");
        index.put("b", 1);
        Map<String, byte[]> table = field("table");
        table.remove("b");
        table.put("c", new byte[] {3});
        assertThatThrownBy(store::digest).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("index entry for 'b'");
    }

    @Test
    void applyRebuildsTheIndexAsItGoes() {
        store.apply(new KvStore.Mutation("a", new byte[] {1, 2}));
        store.apply(new KvStore.Mutation("b", new byte[] {3}));
        store.apply(new KvStore.Mutation("a", null));
        KvStore expected = new KvStore();
        expected.put("b", new byte[] {3});
        assertThat(store.digest()).isEqualTo(expected.digest());
    }
}

package io.godwit.ram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The page cache keeps QEMU's rules: power-of-two slots, a fresh page is not pushed out. */
class PageCacheTest {
    private static final int PAGE = 4096;

    private static MemorySegment page(int fill) {
        MemorySegment s = MemorySegment.ofArray(new byte[PAGE]);
        s.fill((byte) fill);
        return s;
    }

    @Test
    void slotsAreThePowerOfTwoBelowTheSizeAndNoMoreThanRamNeeds() {
        assertThat(new PageCache(3L * PAGE, PAGE, 1000).slots()).isEqualTo(2);
        assertThat(new PageCache(64L << 20, PAGE, 1 << 20).slots()).isEqualTo(16384);
        assertThat(new PageCache(64L << 20, PAGE, 300).slots()).isEqualTo(512); // 1.2 MiB of RAM: 512 slots
        assertThatIllegalArgumentException().isThrownBy(() -> new PageCache(PAGE - 1, PAGE, 10));
    }

    @Test
    void aFreshPageKeepsItsSlotUntilItAges() {
        PageCache c = new PageCache(2L * PAGE, PAGE, 100); // two slots: pages 0 and 2 share slot 0
        assertThat(c.insert(0, page(1), 0, 5)).isNotNull();
        assertThat(c.insert(2L * PAGE, page(2), 0, 6)).as("slot 0 is fresh").isNull();
        assertThat(c.get(0)[0]).isEqualTo((byte) 1);
        assertThat(c.isCached(0, 6)).isTrue(); // a hit makes it fresh again
        assertThat(c.insert(2L * PAGE, page(2), 0, 7)).isNull();
        assertThat(c.insert(2L * PAGE, page(2), 0, 8)).as("two syncs later it may go").isNotNull();
        assertThat(c.isCached(0, 8)).isFalse();
        assertThat(c.get(2L * PAGE)[0]).isEqualTo((byte) 2);
    }

    @Test
    void aPagesOwnSlotAlwaysTakesItsNewContents() {
        PageCache c = new PageCache(2L * PAGE, PAGE, 100);
        c.insert(PAGE, page(1), 0, 3);
        assertThat(c.insert(PAGE, page(9), 0, 3)).isNotNull();
        assertThat(c.get(PAGE)[100]).isEqualTo((byte) 9);
    }
}

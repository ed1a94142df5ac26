package io.godwit.stattrib;

import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.ram.RamBlock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What storage-attribute migration writes (hw/s390x/s390-stattrib.c), in the record layout that
 * {@link StattribRecordReader} documents: setup is EOS alone, runs of changed states go as MORE
 * records, complete adds DONE; every section ends with EOS. Golden bytes written by hand.
 */
class StattribMigrationTest {
    static final byte[] EOS = hex("00000000 00000001");
    static final byte[] DONE = hex("00000000 00000008");

    final RamBlock a = new RamBlock("a", 4 * 4096, false);
    final RamBlock b = new RamBlock("b", 4 * 4096, false);
    final StorageAttributes attrs = new StorageAttributes(List.of(a, b)); // pages 0..3 in a, 4..7 in b

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    static byte[] more(long first, byte... states) {
        return concat(io.godwit.stream.Bytes.be64(first << 12 | 0x02), io.godwit.stream.Bytes.be64(states.length),
                states);
    }

    @Test
    void numbersPagesAcrossBlocksInOrder() {
        assertThat(attrs.pages()).isEqualTo(8);
        assertThat(attrs.gfn(a, 3)).isEqualTo(3);
        assertThat(attrs.gfn(b, 1)).isEqualTo(5);
        attrs.set(5, PageState.UNUSED);
        assertThat(attrs.unused(b, 1)).isTrue();
        assertThat(attrs.unused(a, 1)).isFalse();
    }

    @Test
    void firstPassSendsEveryStateInOneRun() throws IOException {
        attrs.set(2, PageState.UNUSED);
        attrs.set(3, PageState.VOLATILE);
        attrs.set(7, PageState.ZERO);
        StattribSource src = new StattribSource(attrs);
        assertThat(src.setup()).containsExactly(EOS);
        assertThat(src.iterate(Integer.MAX_VALUE)).containsExactly(concat(
                hex("00000000 00000002 00000000 00000008 00 00 01 02 00 00 00 03"), EOS));
        assertThat(src.pendingExact()).isZero();
    }

    @Test
    void completeWithNothingLeftIsDoneThenEos() throws IOException {
        StattribSource src = new StattribSource(attrs);
        src.setup();
        src.iterate(Integer.MAX_VALUE);
        assertThat(src.complete()).containsExactly(concat(DONE, EOS));
    }

    @Test
    void changesAfterTheFirstPassAreSentAgainAsTheirOwnRuns() throws IOException {
        StattribSource src = new StattribSource(attrs);
        src.setup();
        src.iterate(Integer.MAX_VALUE);
        attrs.set(1, PageState.VOLATILE);
        attrs.set(5, PageState.UNUSED);
        attrs.set(6, PageState.STABLE); // no change: not sent
        assertThat(src.pendingExact()).isEqualTo(2);
        assertThat(src.iterate(Integer.MAX_VALUE)).containsExactly(concat(
                hex("00000000 00001002 00000000 00000001 02"),
                hex("00000000 00005002 00000000 00000001 01"),
                EOS));
    }

    @Test
    void neighbouringChangesGoAsOneRun() throws IOException {
        StattribSource src = new StattribSource(attrs);
        src.setup();
        src.iterate(Integer.MAX_VALUE);
        attrs.set(3, PageState.ZERO);
        attrs.set(4, PageState.ZERO); // the first page of the second block
        attrs.set(5, PageState.UNUSED);
        assertThat(src.iterate(Integer.MAX_VALUE)).containsExactly(concat(more(3, (byte) 3, (byte) 3, (byte) 1), EOS));
    }

    @Test
    void stateChangedAndChangedBackIsSentOnceWithItsLatestValue() throws IOException {
        StattribSource src = new StattribSource(attrs);
        src.setup();
        src.iterate(Integer.MAX_VALUE);
        attrs.set(6, PageState.UNUSED);
        attrs.set(6, PageState.STABLE);
        assertThat(src.iterate(Integer.MAX_VALUE)).containsExactly(concat(more(6, (byte) 0), EOS));
    }

    @Test
    void changesMadeDuringTheFirstPassAreNotSentTwice() throws IOException {
        StattribSource src = new StattribSource(attrs);
        src.setup();
        attrs.set(7, PageState.ZERO); // not sent yet: goes in the first pass
        assertThat(src.iterate(Integer.MAX_VALUE)).containsExactly(concat(
                more(0, (byte) 0, (byte) 0, (byte) 0, (byte) 0, (byte) 0, (byte) 0, (byte) 0, (byte) 3), EOS));
        assertThat(src.pendingExact()).isZero();
    }

    @Test
    void completeSendsWhatIsLeftThenDone() throws IOException {
        StattribSource src = new StattribSource(attrs);
        src.setup();
        src.iterate(Integer.MAX_VALUE);
        attrs.set(0, PageState.UNUSED);
        assertThat(src.complete()).containsExactly(concat(more(0, (byte) 1), DONE, EOS));
    }

    @Test
    void iterationStoppedByTheRateLimitGoesOnFromWhereItStopped() throws IOException {
        StattribSource src = new StattribSource(attrs);
        src.setup();
        src.iterate(Integer.MAX_VALUE);
        attrs.set(2, PageState.UNUSED);
        attrs.set(6, PageState.UNUSED);
        src.pendingExact();
        src.budget = 1;
        assertThat(src.handler.saveLiveIterate(src.ctx)).as("stopped with more left").isFalse();
        assertThat(src.take()).containsExactly(concat(more(2, (byte) 1), EOS));
        attrs.set(0, PageState.VOLATILE); // behind the cursor: after what is ahead
        assertThat(src.iterate(Integer.MAX_VALUE)).containsExactly(concat(more(6, (byte) 1), more(0, (byte) 2), EOS));
    }

    @Test
    void writeToAnUnusedPageThroughTheRamMakesItStableAndSendsTheState() throws IOException {
        StattribSource src = new StattribSource(attrs);
        attrs.set(5, PageState.UNUSED);
        attrs.set(6, PageState.VOLATILE);
        src.setup();
        src.iterate(Integer.MAX_VALUE);
        b.putByte(4096 + 9, (byte) 1); // page 5
        b.write(2 * 4096, new byte[] {1}, 0, 1); // page 6: VOLATILE stays
        assertThat(attrs.get(5)).isEqualTo(PageState.STABLE);
        assertThat(attrs.get(6)).isEqualTo(PageState.VOLATILE);
        assertThat(src.iterate(Integer.MAX_VALUE)).containsExactly(concat(more(5, (byte) 0), EOS));
    }

    @Test
    void runsAreSplitAt512KiBPages() throws IOException {
        long pages = (512 << 10) + 3;
        try (RamBlock big = new RamBlock("big", pages * 4096, false)) { // 2 GiB, never touched
            StorageAttributes many = new StorageAttributes(List.of(big));
            many.set(pages - 1, PageState.ZERO);
            StattribSource src = new StattribSource(many);
            src.setup();
            ByteBuffer out = ByteBuffer.wrap(src.iterate(Integer.MAX_VALUE));
            assertThat(out.remaining()).isEqualTo(16 + (512 << 10) + 16 + 3 + 8);
            assertThat(out.getLong()).isEqualTo(0x02);
            assertThat(out.getLong()).isEqualTo(512 << 10);
            out.position(out.position() + (512 << 10));
            assertThat(out.getLong()).isEqualTo((512L << 10 << 12) | 0x02);
            assertThat(out.getLong()).isEqualTo(3);
            assertThat(new byte[] {out.get(), out.get(), out.get()}).containsExactly(0, 0, 3);
            assertThat(out.getLong()).isEqualTo(0x01);
        }
    }

    @Test
    void roundTripCarriesEveryStateAndLaterChanges() throws IOException {
        try (RamBlock big = new RamBlock("big", 300 * 4096, false);
                RamBlock big2 = new RamBlock("big", 300 * 4096, false)) {
            StorageAttributes from = new StorageAttributes(List.of(big));
            StorageAttributes to = new StorageAttributes(List.of(big2));
            for (long g = 0; g < 300; g++) {
                from.set(g, PageState.of((int) (g * 7 % 11 % 4)));
            }
            StattribSource src = new StattribSource(from);
            StattribSource.load(to, src.setup());
            StattribSource.load(to, src.iterate(Integer.MAX_VALUE));
            assertEqualStates(to, from);

            from.set(17, PageState.UNUSED);
            from.set(299, PageState.VOLATILE);
            for (long g = 100; g < 150; g++) {
                from.set(g, PageState.ZERO);
            }
            StattribSource.load(to, src.iterate(Integer.MAX_VALUE));
            from.set(18, PageState.VOLATILE);
            StattribSource.load(to, src.complete());
            assertEqualStates(to, from);
            assertThat(to.changed().drainInto(new long[5], null)).as("loading marks nothing to send").isZero();
        }
    }

    static void assertEqualStates(StorageAttributes got, StorageAttributes want) {
        for (long g = 0; g < want.pages(); g++) {
            assertThat(got.get(g)).as("page %d", g).isEqualTo(want.get(g));
        }
    }

    @Test
    void activeOnlyWhenTheMachineHasAttributes() {
        assertThat(new StattribMigration(() -> attrs).isActive()).isTrue();
        assertThat(new StattribMigration(() -> null).isActive()).isFalse();
    }
}

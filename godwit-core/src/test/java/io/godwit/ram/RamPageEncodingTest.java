package io.godwit.ram;

import static io.godwit.stream.Bytes.ascii;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.savevm.Pending;
import io.godwit.stats.Counter;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PAGE and ZERO records as the source writes them (ram.c save_page_header, save_zero_page), in the
 * layout that {@link RamRecordReader} documents: the block named at its first page in a section,
 * CONTINUE after that; a zero page as ZERO with fill byte 0. Every section ends with EOS.
 */
class RamPageEncodingTest {
    static final byte[] EOS = hex("00000000 00000010");
    static final byte[] RAM0 = concat(hex("04"), ascii("ram0"));

    final RamBlock block = new RamBlock("ram0", 2 * 4096, false);

    @AfterEach
    void close() {
        block.close();
    }

    static byte[] page(int at, int value) {
        byte[] p = new byte[4096];
        p[at] = (byte) value;
        return p;
    }

    @Test
    void sendsNeverWrittenPageAsZeroAndWrittenPageAsPage() throws IOException {
        block.putByte(4096 + 5, (byte) 0x5a);
        RamSource src = new RamSource(block);
        src.setup();
        assertThat(src.iterate(Integer.MAX_VALUE)).containsExactly(concat(
                hex("00000000 00000002"), RAM0, hex("00"), // ZERO at 0, naming the block
                hex("00000000 00001028"), page(5, 0x5a), // PAGE | CONTINUE at 0x1000
                EOS));
        assertThat(src.counters.get(Counter.ZERO_PAGES)).isEqualTo(1);
        assertThat(src.counters.get(Counter.NORMAL_PAGES)).isEqualTo(1);
    }

    @Test
    void sendsPageNamingTheBlockThenZeroWithContinue() throws IOException {
        block.putByte(0, (byte) 0xff);
        RamSource src = new RamSource(block);
        src.setup();
        assertThat(src.iterate(Integer.MAX_VALUE)).containsExactly(concat(
                hex("00000000 00000008"), RAM0, page(0, 0xff),
                hex("00000000 00001022"), hex("00"), // ZERO | CONTINUE at 0x1000
                EOS));
    }

    @Test
    void sendsWrittenPageThatIsAllZeroAgainAsZero() throws IOException {
        block.putByte(7, (byte) 1);
        block.putByte(7, (byte) 0);
        RamSource src = new RamSource(block);
        src.setup();
        byte[] bytes = src.iterate(1);
        assertThat(bytes).containsExactly(concat(hex("00000000 00000002"), RAM0, hex("00"), EOS));
    }

    @Test
    void namesEachBlockAtItsFirstPage() throws IOException {
        try (RamBlock b = new RamBlock("b", 4096, false)) {
            RamSource src = new RamSource(block, b);
            src.setup();
            assertThat(src.iterate(Integer.MAX_VALUE)).containsExactly(concat(
                    hex("00000000 00000002"), RAM0, hex("00"),
                    hex("00000000 00001022"), hex("00"),
                    hex("00000000 00000002 01 62 00"), // the next block is named, without CONTINUE
                    EOS));
        }
    }

    @Test
    void namesTheBlockAgainAtTheStartOfEachSection() throws IOException {
        RamSource src = new RamSource(block);
        src.setup();
        assertThat(src.iterate(1)).containsExactly(concat(hex("00000000 00000002"), RAM0, hex("00"), EOS));
        assertThat(src.iterate(1)).containsExactly(concat(hex("00000000 00001002"), RAM0, hex("00"), EOS));
        assertThat(src.iterate(1)).as("nothing left").containsExactly(EOS);
    }

    @Test
    void reportsWhetherEverythingDirtyWasSent() throws IOException {
        RamSource src = new RamSource(block);
        src.setup();
        src.budget = 1;
        assertThat(src.handler.saveLiveIterate(src.ctx)).isFalse();
        src.budget = Integer.MAX_VALUE;
        assertThat(src.handler.saveLiveIterate(src.ctx)).isTrue();
    }

    @Test
    void resendsPageWrittenAfterItWasSentOnceADirtySyncTakesIt() throws IOException {
        RamSource src = new RamSource(block);
        src.setup();
        src.iterate(Integer.MAX_VALUE);
        Pending pending = new Pending();
        src.handler.pendingExact(0, pending);
        assertThat(pending.total()).as("all sent").isZero();

        block.putByte(4096 + 9, (byte) 0x33);
        assertThat(src.iterate(Integer.MAX_VALUE)).as("not before a sync").containsExactly(EOS);
        pending.reset();
        src.handler.pendingEstimate(0, pending);
        assertThat(pending.total()).as("an estimate does not sync").isZero();

        long syncs = src.counters.get(Counter.DIRTY_SYNC_COUNT);
        pending.reset();
        src.handler.pendingExact(0, pending);
        assertThat(pending.mustPrecopy()).isEqualTo(4096);
        assertThat(src.counters.get(Counter.DIRTY_SYNC_COUNT)).isEqualTo(syncs + 1);
        assertThat(src.iterate(Integer.MAX_VALUE)).containsExactly(concat(
                hex("00000000 00001008"), RAM0, page(9, 0x33), EOS));
    }

    @Test
    void countsAPageDirtiedTwiceBeforeASyncOnce() throws IOException {
        RamSource src = new RamSource(block);
        src.setup();
        src.iterate(Integer.MAX_VALUE);
        block.putByte(1, (byte) 1);
        block.putByte(2, (byte) 2);
        Pending pending = new Pending();
        src.handler.pendingExact(0, pending);
        assertThat(pending.total()).isEqualTo(4096);
    }

    @Test
    void completionSyncsAndSendsWhatWasWrittenSinceTheLastPass() throws IOException {
        RamSource src = new RamSource(block);
        src.setup();
        src.iterate(Integer.MAX_VALUE);
        block.putByte(3, (byte) 0x44);
        src.handler.saveLiveCompletePrecopy(src.ctx);
        assertThat(src.take()).containsExactly(concat(hex("00000000 00000008"), RAM0, page(3, 0x44), EOS));
    }

    @Test
    void completionSendsEverythingLeftWhateverTheRateLimit() throws IOException {
        RamSource src = new RamSource(block);
        src.setup();
        src.budget = 0;
        src.handler.saveLiveCompletePrecopy(src.ctx);
        assertThat(src.take()).containsExactly(concat(
                hex("00000000 00000002"), RAM0, hex("00"), hex("00000000 00001022 00"), EOS));
    }
}

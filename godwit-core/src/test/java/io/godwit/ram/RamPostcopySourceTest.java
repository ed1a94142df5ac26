package io.godwit.ram;

import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Bytes.input;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.savevm.Pending;
import io.godwit.stats.Counter;
import io.godwit.stream.Command;
import io.godwit.stream.MigrationStreamReader;
import io.godwit.stream.MigrationStreamWriter;
import io.godwit.stream.RamDiscard;
import io.godwit.stream.StreamConstants;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RAM at and after the switch to post-copy, source side (ram.c ram_postcopy_send_discard_bitmap,
 * ram_save_queue_pages): the discards name every page still to send; requested pages go first,
 * rate limit or not, and scanning goes on right after them.
 */
class RamPostcopySourceTest {
    final RamBlock block = new RamBlock("pc.ram", 16 * 4096, false);
    final AtomicInteger wakes = new AtomicInteger();

    @AfterEach
    void close() {
        block.close();
    }

    private RamSource started() throws IOException {
        for (int p = 0; p < 16; p++) {
            block.putByte((long) p << 12, (byte) (p + 1)); // every page holds data: PAGE records
        }
        RamSource src = new RamSource(Capabilities.of(Capability.POSTCOPY_RAM), block);
        src.setup();
        src.iterate(10); // pages 0..9 go in pre-copy
        return src;
    }

    private PageRequestQueue switchOver(RamSource src, List<Command> discards) throws IOException {
        PageRequestQueue q = src.handler.startPostcopy(new MigrationStreamWriter(src.ctx.out()), wakes::incrementAndGet);
        src.ctx.enterPostcopy();
        MigrationStreamReader r = new MigrationStreamReader(input(src.take()));
        while (r.in().hasMore()) {
            discards.add((Command) r.next());
        }
        return q;
    }

    /** "PAGE n" per record of a PART payload, in order. */
    private static List<String> pages(byte[] payload) throws IOException {
        StreamInput in = input(payload);
        List<String> out = new ArrayList<>();
        while (true) {
            long word = in.getBe64();
            long flags = word & 0xfff;
            if (flags == StreamConstants.RAM_FLAG_EOS) {
                return out;
            }
            if ((flags & StreamConstants.RAM_FLAG_CONTINUE) == 0) {
                in.getString8();
            }
            in.skip((flags & StreamConstants.RAM_FLAG_PAGE) != 0 ? 4096 : 1);
            out.add(((flags & StreamConstants.RAM_FLAG_PAGE) != 0 ? "PAGE " : "ZERO ") + (word >>> 12));
        }
    }

    @Test
    void discardsNamePagesDirtiedSinceSentAndPagesNotSentYet() throws IOException {
        RamSource src = started();
        block.putByte(3L << 12, (byte) 0x33);
        block.putByte((4L << 12) + 100, (byte) 0x44);
        List<Command> discards = new ArrayList<>();
        switchOver(src, discards);

        assertThat(discards).containsExactly(new RamDiscard("pc.ram", List.of(new RamDiscard.Range(0x3000, 0x2000),
                new RamDiscard.Range(0xa000, 0x6000))).toCommand());
        assertThat(src.counters.get(Counter.DIRTY_SYNC_COUNT)).as("the last sync at the switch").isEqualTo(2);
        Pending p = src.estimate(0);
        assertThat(p.canPostcopy()).isEqualTo(8 * 4096);
        assertThat(p.mustPrecopy()).isZero();
    }

    @Test
    void requestedPagesGoFirstWhateverTheRateLimitThenScanningGoesOnAfterThem() throws IOException {
        RamSource src = started();
        block.putByte(3L << 12, (byte) 0x33);
        PageRequestQueue q = switchOver(src, new ArrayList<>());

        q.add("pc.ram", 13L << 12, 4096);
        assertThat(wakes).hasValue(1);
        assertThat(q.hasRequests()).isTrue();
        assertThat(pages(src.iterate(2))).containsExactly("PAGE 13", "PAGE 14", "PAGE 15");
        assertThat(q.hasRequests()).isFalse();

        q.add(null, 14L << 12, 2 * 4096); // REQ_PAGES: the same block; 14 and 15 went already
        assertThat(pages(src.iterate(0))).isEmpty();
        assertThat(pages(src.iterate())).containsExactly("PAGE 3", "PAGE 10", "PAGE 11", "PAGE 12");
        assertThat(src.counters.get(Counter.POSTCOPY_REQUESTS)).isEqualTo(2);
        assertThat(src.estimate(0).total()).isZero();
        assertThat(pages(postcopyEnd(src))).isEmpty();
    }

    private static byte[] postcopyEnd(RamSource src) throws IOException {
        src.handler.saveLiveCompletePostcopy(src.ctx);
        return src.take();
    }

    @Test
    void theEndOfPostcopySendsWhatIsLeftWithoutAnotherSync() throws IOException {
        RamSource src = started();
        switchOver(src, new ArrayList<>());
        block.putByte(0, (byte) 0x77); // cannot happen with the source stopped; must not be picked up
        assertThat(pages(postcopyEnd(src))).containsExactly("PAGE 10", "PAGE 11", "PAGE 12", "PAGE 13", "PAGE 14",
                "PAGE 15");
        assertThat(src.counters.get(Counter.DIRTY_SYNC_COUNT)).isEqualTo(2);
    }

    @Test
    void refusesRequestsAsQemuDoes() throws IOException {
        PageRequestQueue q = switchOver(started(), new ArrayList<>());
        assertThatIOException().isThrownBy(() -> q.add(null, 0, 4096))
                .withMessage("MIG_RP_MSG_REQ_PAGES has no previous block");
        assertThatIOException().isThrownBy(() -> q.add("pc.rom", 0, 4096))
                .withMessage("MIG_RP_MSG_REQ_PAGES has no block 'pc.rom'");
        assertThatIOException().isThrownBy(() -> q.add("pc.ram", 0x1001, 4096))
                .withMessage("MIG_RP_MSG_REQ_PAGES: Misaligned page request, start: 1001 len: 4096");
        assertThatIOException().isThrownBy(() -> q.add("pc.ram", 0x1000, 100))
                .withMessage("MIG_RP_MSG_REQ_PAGES: Misaligned page request, start: 1000 len: 100");
        assertThatIOException().isThrownBy(() -> q.add("pc.ram", 0xf000, 2 * 4096))
                .withMessage("MIG_RP_MSG_REQ_PAGES request overrun, start=f000 len=2000 blocklen=10000");
        assertThatIOException().isThrownBy(() -> q.add("pc.ram", 0x1000, 0))
                .withMessageStartingWith("MIG_RP_MSG_REQ_PAGES request overrun");
        assertThatIOException().isThrownBy(() -> q.add("pc.ram", 0x1000, 0xfffff000))
                .withMessage("MIG_RP_MSG_REQ_PAGES request overrun, start=1000 len=fffff000 blocklen=10000");
        assertThat(q.hasRequests()).isFalse();
        assertThat(wakes).hasValue(0);
    }

    @Test
    void aDestinationCannotQueueUnboundedRequests() throws IOException {
        PageRequestQueue q = switchOver(started(), new ArrayList<>());
        for (int i = 0; i < PageRequestQueue.MAX_PENDING; i++) {
            q.add("pc.ram", 0, 4096);
        }
        assertThatIOException().isThrownBy(() -> q.add("pc.ram", 0, 4096)).withMessageContaining("more than 65536");
    }

    @Test
    void ramFollowsTheSwitchOnlyWithPostcopyRam() throws IOException {
        RamSource plain = new RamSource(block);
        plain.setup();
        assertThat(plain.handler.hasPostcopy()).isFalse();
        assertThat(started().handler.hasPostcopy()).isTrue();
    }

    @Test
    void theDiscardGoldenBytes() throws IOException {
        RamSource src = started();
        List<Command> discards = new ArrayList<>();
        switchOver(src, discards);
        byte[] frame = io.godwit.stream.Bytes.framed(w -> w.command(discards.getFirst()));
        assertThat(frame).containsExactly(hex("08 0006 0019 00 06 70632e72616d 00 000000000000a000 0000000000006000"));
    }

    @Test
    void resumingMakesPendingExactlyWhatTheDestinationHasNotReceived() throws IOException {
        RamSource src = started();
        switchOver(src, new ArrayList<>());
        assertThat(pages(src.iterate(3))).containsExactly("PAGE 10", "PAGE 11", "PAGE 12");
        // the link broke: 12 never arrived, and neither did 2 (lost in flight back in pre-copy)
        long received = 0xffffL & ~(1L << 2) & ~(1L << 12) & ~(1L << 13) & ~(1L << 14) & ~(1L << 15);
        src.handler.reloadFromReceived(block, new long[] {received | -1L << 16}); // bits past the block are ignored
        assertThat(src.estimate(0).canPostcopy()).isEqualTo(5 * 4096);
        assertThat(pages(src.iterate())).containsExactly("PAGE 2", "PAGE 12", "PAGE 13", "PAGE 14", "PAGE 15");
        assertThat(src.estimate(0).total()).isZero();
    }
}

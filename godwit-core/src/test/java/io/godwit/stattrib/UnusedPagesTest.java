package io.godwit.stattrib;

import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.clock.VirtualClock;
import io.godwit.machine.AbCheck;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.options.Capabilities;
import io.godwit.ram.RamBlock;
import io.godwit.ram.RamHandler;
import io.godwit.savevm.LoadContext;
import io.godwit.savevm.Pending;
import io.godwit.savevm.SaveContext;
import io.godwit.stats.Counter;
import io.godwit.stats.MigrationCounters;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pages the storage attributes mark UNUSED: RAM migration sends them as ZERO records without
 * their contents and counts them as skipped; they read as zero on the destination, and the
 * digest and the a-b check pass over what they hold. A write through the RAM API makes such a
 * page STABLE, and its data is sent again.
 */
class UnusedPagesTest {
    static final byte[] PC_RAM = hex("06 70632e72616d"); // "pc.ram"
    static final byte[] EOS = hex("00000000 00000010");
    static final long MIB = 1 << 20;

    final RamBlock src = new RamBlock("pc.ram", 4 * 4096, false);
    final RamBlock dst = new RamBlock("pc.ram", 4 * 4096, false);
    final StorageAttributes attrs = new StorageAttributes(List.of(src));
    final RamHandler handler = new RamHandler(() -> List.of(src));
    final MigrationCounters counters = new MigrationCounters();
    final Bytes.Sink sink = Bytes.sink();
    final StreamOutput out;
    final SaveContext ctx;
    int taken;

    UnusedPagesTest() throws IOException {
        handler.setUnusedPages(attrs::unused);
        out = new StreamOutput(sink);
        ctx = new SaveContext(out, new VirtualClock(), Capabilities.defaults(), counters, () -> false);
    }

    @AfterEach
    void close() {
        src.close();
        dst.close();
    }

    byte[] take() throws IOException {
        out.flush();
        byte[] all = sink.toByteArray();
        byte[] fresh = Arrays.copyOfRange(all, taken, all.length);
        taken = all.length;
        return fresh;
    }

    /** The destination's RAM handler, set up to load into {@code dst}. */
    RamHandler destination() {
        RamHandler d = new RamHandler(() -> List.of(dst));
        d.loadSetup(new LoadContext(Bytes.input(new byte[0]), Capabilities.defaults(), () -> {}));
        return d;
    }

    static void load(RamHandler d, byte[] payload) throws IOException {
        d.loadState(new LoadContext(Bytes.input(payload), Capabilities.defaults(), () -> {}), RamHandler.VERSION);
    }

    static byte[] page(int at, int value) {
        byte[] p = new byte[4096];
        p[at] = (byte) value;
        return p;
    }

    @Test
    void unusedPageGoesAsZeroWithoutItsContentsAndCountsAsSkipped() throws IOException {
        src.putByte(4096 + 3, (byte) 0x5a);
        src.putByte(2 * 4096 + 3, (byte) 0x5b);
        attrs.set(1, PageState.UNUSED); // holds 0x5a, but the guest gave it up
        handler.saveSetup(ctx);
        take();
        handler.saveLiveIterate(ctx);
        assertThat(take()).containsExactly(concat(
                hex("00000000 00000002"), PC_RAM, hex("00"), // never written: ZERO
                hex("00000000 00001022 00"), // unused: ZERO, its 0x5a not sent
                hex("00000000 00002028"), page(3, 0x5b), // PAGE | CONTINUE
                hex("00000000 00003022 00"),
                EOS));
        assertThat(counters.get(Counter.SKIPPED_PAGES)).isEqualTo(1);
        assertThat(counters.get(Counter.ZERO_PAGES)).isEqualTo(2);
        assertThat(counters.get(Counter.NORMAL_PAGES)).isEqualTo(1);
    }

    @Test
    void unusedPageReadsZeroOnTheDestination() throws IOException {
        src.putByte(4096 + 3, (byte) 0x5a);
        attrs.set(1, PageState.UNUSED);
        dst.putByte(4096 + 7, (byte) 0x77); // old contents there
        RamHandler d = destination();
        handler.saveSetup(ctx);
        load(d, take());
        handler.saveLiveIterate(ctx);
        load(d, take());
        assertThat(dst.getByte(4096 + 7)).isZero();
        assertThat(dst.getByte(4096 + 3)).isZero();
    }

    @Test
    void writingAnUnusedPageMakesItStableAndItsDataGoesAfterASync() throws IOException {
        src.putByte(4096 + 3, (byte) 0x5a);
        attrs.set(1, PageState.UNUSED);
        handler.saveSetup(ctx);
        handler.saveLiveIterate(ctx);
        take();

        src.putByte(4096 + 4, (byte) 0x5c);
        assertThat(attrs.get(1)).isEqualTo(PageState.STABLE);
        handler.saveLiveIterate(ctx);
        assertThat(take()).as("not before a sync").containsExactly(EOS);
        handler.pendingExact(0, new Pending());
        handler.saveLiveIterate(ctx);
        byte[] data = page(3, 0x5a);
        data[4] = 0x5c;
        assertThat(take()).containsExactly(concat(hex("00000000 00001008"), PC_RAM, data, EOS));
        assertThat(counters.get(Counter.SKIPPED_PAGES)).isEqualTo(1);
    }

    @Test
    void pageWrittenWhileUnusedGoesWithItsDataEvenIfTheMigrationRunsDuringTheWrite() throws IOException {
        attrs.set(1, PageState.UNUSED);
        RamHandler d = destination();
        handler.saveSetup(ctx);
        load(d, take());
        handler.saveLiveIterate(ctx);
        load(d, take());

        // The block's write hook is where the attributes hear of the write. This one lets the
        // migration sync and send at that moment, as its thread may, then does what the
        // attributes' hook does.
        src.onWrite(p -> {
            try {
                handler.pendingExact(0, new Pending());
                handler.saveLiveIterate(ctx);
                load(d, take());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            if (attrs.unused(src, p)) {
                attrs.set(attrs.gfn(src, p), PageState.STABLE);
            }
        });
        src.putByte(4096 + 3, (byte) 0x5d);
        src.onWrite(p -> {});

        handler.pendingExact(0, new Pending());
        handler.saveLiveCompletePrecopy(ctx);
        load(d, take());
        assertThat(attrs.get(1)).isEqualTo(PageState.STABLE);
        assertThat(dst.getByte(4096 + 3)).as("the written byte reached the destination").isEqualTo((byte) 0x5d);
    }

    @Test
    void aPageTheGuestTakesBackWithoutWritingGoesAgainWithWhatItHolds() throws IOException {
        src.putByte(4096 + 3, (byte) 0x5a);
        attrs.set(1, PageState.UNUSED);
        RamHandler d = destination();
        handler.saveSetup(ctx);
        load(d, take());
        handler.saveLiveIterate(ctx);
        load(d, take());
        assertThat(dst.getByte(4096 + 3)).as("sent as zero while unused").isZero();

        attrs.set(1, PageState.STABLE); // no write: the memory still holds 0x5a, and it counts again
        handler.pendingExact(0, new Pending());
        handler.saveLiveCompletePrecopy(ctx);
        load(d, take());
        assertThat(dst.getByte(4096 + 3)).isEqualTo((byte) 0x5a);
    }

    @Test
    void aPageThatArrivesUnusedIsDiscardedOnTheDestination() throws IOException {
        StorageAttributes there = new StorageAttributes(List.of(dst));
        dst.putByte(2 * 4096 + 9, (byte) 0x66); // loaded earlier, while it was in use
        dst.putByte(3 * 4096 + 9, (byte) 0x67);
        there.load(2, (byte) PageState.UNUSED.value);
        there.load(3, (byte) PageState.VOLATILE.value);
        assertThat(dst.getByte(2 * 4096 + 9)).isZero();
        assertThat(dst.getByte(3 * 4096 + 9)).isEqualTo((byte) 0x67);
    }

    // ------------------------------------------------------------------ machines

    /** A machine with 1 MiB + 8 KiB of RAM (a partial last digest chunk) and storage attributes. */
    static Machine machine(String name) {
        Machine m = new Machine(name);
        m.addRam("pc.ram", MIB + 8192);
        m.enableStorageAttributes();
        return m;
    }

    @Test
    void machineDigestIgnoresWhatUnusedPagesHold() {
        try (Machine a = machine("a"); Machine b = machine("b")) {
            for (Machine m : List.of(a, b)) {
                m.ram("pc.ram").putLong(0, 0x1122334455667788L);
            }
            a.ram("pc.ram").putByte(5 * 4096 + 1, (byte) 0x11); // a full chunk
            a.ram("pc.ram").putByte(257 * 4096 + 2, (byte) 0x22); // the partial chunk
            for (Machine m : List.of(a, b)) {
                m.storageAttributes().set(5, PageState.UNUSED);
                m.storageAttributes().set(257, PageState.UNUSED);
            }
            assertThat(MachineDigest.of(a)).isEqualTo(MachineDigest.of(b));

            a.storageAttributes().set(257, PageState.STABLE);
            assertThat(MachineDigest.of(a).overall()).as("a used page counts").isNotEqualTo(MachineDigest.of(b).overall());
        }
    }

    @Test
    void machineDigestCoversThePageStates() {
        try (Machine a = machine("a"); Machine b = machine("b")) {
            assertThat(MachineDigest.of(a).storageAttributes()).isNotNull().isEqualTo(MachineDigest.of(b).storageAttributes());
            a.storageAttributes().set(9, PageState.VOLATILE); // a state that changes nothing RAM reads
            assertThat(MachineDigest.of(a).blocks()).isEqualTo(MachineDigest.of(b).blocks());
            assertThat(MachineDigest.of(a).storageAttributes()).isNotEqualTo(MachineDigest.of(b).storageAttributes());
            assertThat(MachineDigest.of(a).overall()).isNotEqualTo(MachineDigest.of(b).overall());
        }
    }

    @Test
    void machineDigestLeavesTheUnusedPagesContentsAlone() {
        try (Machine a = machine("a")) {
            a.ram("pc.ram").putByte(5 * 4096 + 1, (byte) 0x11);
            a.storageAttributes().set(5, PageState.UNUSED);
            MachineDigest.of(a);
            assertThat(a.ram("pc.ram").getByte(5 * 4096 + 1)).isEqualTo((byte) 0x11);
        }
    }

    @Test
    void abCheckSkipsUnusedPages() {
        try (Machine m = machine("m")) {
            RamBlock ram = m.ram("pc.ram");
            for (long p = 0; p < ram.pages(); p++) {
                ram.putByte(p << 12, (byte) 3);
            }
            ram.putByte(0, (byte) 0x77); // the first page: stale
            ram.putByte(10 << 12, (byte) 0x77);
            ram.putByte(200 << 12, (byte) 2);
            m.storageAttributes().set(0, PageState.UNUSED);
            m.storageAttributes().set(10, PageState.UNUSED);
            m.storageAttributes().set(200, PageState.UNUSED);

            AbCheck.Result r = AbCheck.check(m);
            assertThat(r.passed()).as("%s", r).isTrue();
            assertThat(r.pages()).isEqualTo(ram.pages() - 3);
            assertThat(r.value()).isEqualTo(3);
            assertThat(r.edge()).isFalse();
            assertThat(AbCheck.check(m.ram()).passed()).as("without the attributes").isFalse();
        }
    }
}

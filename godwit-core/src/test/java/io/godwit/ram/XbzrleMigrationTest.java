package io.godwit.ram;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.clock.Clock;
import io.godwit.machine.AbCheck;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.machine.RunState;
import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationStatus;
import io.godwit.monitor.Monitor;
import io.godwit.monitor.MonitorEvents;
import io.godwit.options.Capability;
import io.godwit.savevm.HandlerRegistry;
import io.godwit.vcpu.Workload;
import io.godwit.vcpu.WorkloadPacer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two machines over loopback, the source's writer adding 1 to the first byte of every page in
 * turn (the a-b writer: a byte changed per page). With xbzrle the pages after the first two
 * rounds go as deltas of a few bytes; the destination ends equal to the paused source either way.
 * A RoundGate holds the switch and makes every round resend every page, so how many rounds go as
 * deltas is up to the test, not to how busy the machine is.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class XbzrleMigrationTest {
    private static final long DEADLINE_MS = 60_000;
    private static final long RAM_MIB = 8;
    private static final long RAM_PAGES = (RAM_MIB << 20) / RamBlock.PAGE_SIZE;
    /** Rounds of pc.ram held before the switch after the two that go whole. */
    private static final int DELTA_ROUNDS = 4;

    /**
     * The a-b writer at full speed, in steps of 512 pages, counting its sweeps over the block (the
     * RoundGate waits for one between syncs, so every round finds every page dirty).
     */
    static final class AbWriter implements Workload {
        private RamBlock block;
        private long next;
        private volatile long sweeps; // written by the machine's vCPU thread only

        /** How many times every page has been written. */
        long sweeps() {
            return sweeps;
        }

        @Override
        public String name() {
            return "ab";
        }

        @Override
        public void attach(List<RamBlock> ram) {
            block = ram.getFirst();
        }

        @Override
        public void step(WorkloadPacer pacer) {
            long n = 512;
            for (long i = 0; i < n; i++) {
                block.incrementByte(next << RamBlock.PAGE_SHIFT);
                next = (next + 1) % block.pages();
                if (next == 0) {
                    sweeps++;
                }
            }
        }
    }

    private static Machine source(AbWriter writer) {
        Machine m = new Machine("src");
        RamBlock ram = m.addRam("pc.ram", RAM_MIB << 20);
        SplittableRandom r = new SplittableRandom(11);
        for (long off = 0; off < ram.size(); off += RamBlock.PAGE_SIZE) {
            if ((off >>> 12) % 4 != 0) { // every fourth page starts zero
                ram.putLong(off + 64, r.nextLong());
                ram.putLong(off + 2048, r.nextLong());
            }
        }
        m.addRam("vga.vram", 1 << 20).putLong(8192, 99);
        m.addWorkload(writer);
        m.start();
        return m;
    }

    private static <T> T until(Supplier<T> value, Predicate<T> done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_MS * 1_000_000;
        T v;
        while (!done.test(v = value.get())) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + " within " + DEADLINE_MS + " ms; last seen: " + v);
            }
            Thread.sleep(5);
        }
        return v;
    }

    /** Each page once: an overflow counts among xbzrle's pages and, sent whole, among normal ones. */
    private static long pagesSent(MigrationInfo i) {
        MigrationInfo.XbzrleCache x = i.xbzrleCache();
        long encoded = x == null ? 0 : x.pages() - x.overflow();
        return i.ram() == null ? 0 : i.ram().normal() + i.ram().duplicate() + encoded;
    }

    /**
     * Migrates in rounds the test counts (see RoundGate): the first round over memory goes whole,
     * the second too (it fills the cache), then {@link #DELTA_ROUNDS} more, each sending every page
     * of pc.ram again; then lets it complete. Checks the destination and returns the source's final
     * figures.
     */
    private static MigrationInfo migrate(boolean xbzrle) throws Exception {
        AbWriter writer = new AbWriter();
        RoundGate gate = new RoundGate(writer::sweeps);
        try (Machine src = source(writer); Machine dst = new Machine("dst");
                Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE);
                Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE)) {
            src.registry().register(RoundGate.IDSTR, 0, 1, HandlerRegistry.PRIORITY_DEFAULT, gate);
            dst.registry().register(RoundGate.IDSTR, 0, 1, HandlerRegistry.PRIORITY_DEFAULT, gate);
            out.setCapabilities(Map.of(Capability.XBZRLE, xbzrle));
            // a threshold above 0 (at 0 an estimate of 0 completes without a sync, past the gate)
            out.setParameters(Map.of("max-bandwidth", 16L << 20, "avail-switchover-bandwidth", 4096L, "downtime-limit", 1000L));
            out.migrate(in.migrateIncoming("tcp:127.0.0.1:0"));
            MigrationInfo held = until(out::queryMigrate, i -> gate.syncs() >= DELTA_ROUNDS + 2 || i.status().isTerminal(),
                    "the rounds of pages sent");
            assertThat(held.status()).as("%s", held.errorDesc()).isEqualTo(MigrationStatus.ACTIVE);
            out.setParameters(Map.of("max-bandwidth", 0L, "avail-switchover-bandwidth", 0L, "downtime-limit", 2000L));
            gate.release();

            MigrationInfo info = until(out::queryMigrate, i -> i.status().isTerminal(), "a final status");
            MigrationInfo dest = until(in::queryMigrate, i -> i.status().isTerminal(), "a final status");
            assertThat(info.status()).as("%s", info.errorDesc()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(dest.status()).as("%s", dest.errorDesc()).isEqualTo(MigrationStatus.COMPLETED);
            dst.stop(RunState.PAUSED);
            AbCheck.Result ab = AbCheck.check(List.of(dst.ram().getFirst()));
            assertThat(ab.passed()).as("%s", ab).isTrue();
            assertThat(MachineDigest.of(dst).overall()).isEqualTo(MachineDigest.of(src).overall());
            return info;
        }
    }

    @Test
    void pagesGoAsDeltasAndTheDestinationEqualsTheSource() throws Exception {
        MigrationInfo with = migrate(true);
        MigrationInfo.XbzrleCache x = with.xbzrleCache();
        assertThat(x).isNotNull();
        assertThat(x.cacheSize()).isEqualTo(64L << 20);
        // every page of pc.ram in each held round of deltas, but for the quarter that started zero:
        // those are zero again whenever the writer's byte wraps round, and then go as zero records
        assertThat(x.pages()).as("pages encoded").isGreaterThanOrEqualTo(DELTA_ROUNDS * RAM_PAGES * 3 / 4);
        assertThat(x.cacheMiss()).as("the first time a page is seen after round one").isGreaterThan(0);
        assertThat(x.bytes()).as("a byte changed per page: deltas of a few bytes").isLessThan(x.pages() * 64);

        MigrationInfo without = migrate(false);
        assertThat(without.xbzrleCache()).isNull();
        // held: two rounds whole against four of deltas (about 1.4 KiB a page at most); rounds after
        // the release add deltas with xbzrle and whole pages without, widening the gap
        double perPageWith = (double) with.ram().transferred() / pagesSent(with);
        double perPageWithout = (double) without.ram().transferred() / pagesSent(without);
        assertThat(perPageWith).as("bytes on the wire per page sent: %.0f with xbzrle, %.0f without",
                perPageWith, perPageWithout).isLessThan(perPageWithout / 2);
    }

    @Test
    void aSmallerCacheSetMidMigrationIsTakenAndTheResultStaysEqual() throws Exception {
        try (Machine src = source(new AbWriter()); Machine dst = new Machine("dst");
                Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE);
                Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE)) {
            out.setCapabilities(Map.of(Capability.XBZRLE, true));
            // 2 MiB/s: the first round (8 MiB, sent whole) lasts about 4 s, and a migration cannot
            // complete in its first round, so the resize below lands in a running migration however
            // busy the machine is (later rounds of deltas pass in milliseconds: a writer starved for
            // that long lets the migration converge)
            out.setParameters(Map.of("max-bandwidth", 2L << 20, "avail-switchover-bandwidth", 4096L, "downtime-limit", 1000L));
            out.migrate(in.migrateIncoming("tcp:127.0.0.1:0"));
            until(out::queryMigrate, i -> i.status() != MigrationStatus.SETUP, "the migration under way");
            out.setParameters(Map.of(), Map.of(), Map.of(), Map.of("xbzrle-cache-size", 1L << 20));
            MigrationInfo resized = out.queryMigrate();
            assertThat(resized.status()).isEqualTo(MigrationStatus.ACTIVE);
            assertThat(resized.xbzrleCache().cacheSize()).isEqualTo(1L << 20);
            out.setParameters(Map.of("max-bandwidth", 16L << 20));
            until(out::queryMigrate, i -> i.xbzrleCache().cacheMiss() > RAM_PAGES / 8 || i.status().isTerminal(),
                    "misses in the smaller cache");
            out.setParameters(Map.of("max-bandwidth", 0L, "avail-switchover-bandwidth", 0L, "downtime-limit", 2000L));

            MigrationInfo info = until(out::queryMigrate, i -> i.status().isTerminal(), "a final status");
            until(in::queryMigrate, i -> i.status().isTerminal(), "a final status");
            assertThat(info.status()).as("%s", info.errorDesc()).isEqualTo(MigrationStatus.COMPLETED);
            dst.stop(RunState.PAUSED);
            assertThat(AbCheck.check(List.of(dst.ram().getFirst())).passed()).isTrue();
            assertThat(MachineDigest.of(dst).overall()).isEqualTo(MachineDigest.of(src).overall());
        }
    }
}

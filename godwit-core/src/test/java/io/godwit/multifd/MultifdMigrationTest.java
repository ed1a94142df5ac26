package io.godwit.multifd;

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
import io.godwit.ram.RamBlock;
import io.godwit.vcpu.Workload;
import io.godwit.vcpu.WorkloadPacer;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two machines in one JVM over loopback sockets, with capability multifd on both: the pages go
 * over the channels, a writer keeps dirtying them, and the destination ends equal to the paused
 * source and passes the a-b check.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MultifdMigrationTest {
    static final long DEADLINE_MS = 60_000;

    /**
     * The a-b writer: adds 1 to the first byte of every page of the block, round after round, at
     * 8192 pages (32 MiB) a second: paced, so that the migration converges however busy the CPUs
     * are (a writer at full speed outran one zlib channel on a loaded machine).
     */
    static final class AbWriter implements Workload {
        private static final double PAGES_PER_SECOND = 8192;
        private RamBlock block;
        private long next;

        @Override
        public String name() {
            return "ab";
        }

        @Override
        public void attach(java.util.List<RamBlock> ram) {
            block = ram.getFirst();
        }

        @Override
        public void step(WorkloadPacer pacer) {
            long n = pacer.due(PAGES_PER_SECOND, 512);
            for (long i = 0; i < n; i++) {
                block.incrementByte(next << RamBlock.PAGE_SHIFT);
                next = (next + 1) % block.pages();
            }
            pacer.did(n);
        }
    }

    static Machine source(long mib) {
        Machine m = new Machine("src");
        RamBlock ram = m.addRam("pc.ram", mib << 20);
        RamBlock other = m.addRam("vga.vram", 1 << 20);
        SplittableRandom r = new SplittableRandom(7);
        for (long off = 0; off < ram.size(); off += 4096) {
            if ((off >>> 12) % 3 != 0) { // every third page stays zero
                ram.putLong(off + 8, r.nextLong());
            }
        }
        other.putLong(8192, 99);
        m.addWorkload(new AbWriter());
        m.start();
        return m;
    }

    static <T> T until(Supplier<T> value, Predicate<T> done, String what) throws InterruptedException {
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

    static MigrationInfo end(Monitor m) throws InterruptedException {
        return until(m::queryMigrate, i -> i.status().isTerminal(), "a final status");
    }

    static void multifd(Monitor m, Map<String, Object> params) {
        m.setCapabilities(Map.of(Capability.MULTIFD, true));
        m.setParameters(Map.of(), Map.of(), params);
    }

    private static void migrateAndCheck(Map<String, Object> params) throws Exception {
        try (Machine src = source(16); Machine dst = new Machine("dst");
                Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE);
                Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE)) {
            multifd(out, params);
            multifd(in, params);
            out.setParameters(Map.of("max-bandwidth", 0L, "downtime-limit", 2000L));
            String uri = in.migrateIncoming("tcp:127.0.0.1:0");
            out.migrate(uri);

            MigrationInfo info = end(out);
            MigrationInfo dest = end(in);

            assertThat(info.status()).as("%s", info.errorDesc()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(dest.status()).as("%s", dest.errorDesc()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(dst.state()).isEqualTo(RunState.RUNNING);
            dst.stop(RunState.PAUSED);
            AbCheck.Result ab = AbCheck.check(java.util.List.of(dst.ram().getFirst())); // the writer's block
            assertThat(ab.passed()).as("%s", ab).isTrue();
            assertThat(MachineDigest.of(dst).overall()).isEqualTo(MachineDigest.of(src).overall());
        }
    }

    @ParameterizedTest(name = "{0} channels, {1}")
    @CsvSource({"1, none", "2, none", "4, none", "1, zlib", "2, zlib", "4, zlib", "1, zstd", "2, zstd", "4, zstd"})
    void destinationEqualsSourceOverChannels(long channels, String compression) throws Exception {
        migrateAndCheck(Map.of("multifd-channels", channels, "multifd-compression", compression));
    }

    @Test
    void zeroPagesOnTheMainStreamAndSyncsAtEachSection() throws Exception {
        // QEMU 7.2's way: ZERO records on the main stream, the channels synced at every section's end
        migrateAndCheck(Map.of("multifd-channels", 3L, "zero-page-detection", "legacy",
                "x-multifd-flush-after-each-section", true));
    }

    @Test
    void zeroPagesSentAsData() throws Exception {
        migrateAndCheck(Map.of("multifd-channels", 2L, "zero-page-detection", "none",
                "multifd-compression", "zstd"));
    }

    @Test
    void cancelDuringMultifdLeavesTheSourceRunning() throws Exception {
        try (Machine src = source(64); Machine dst = new Machine("dst");
                Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE);
                Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE)) {
            multifd(out, Map.of("multifd-channels", 4L));
            multifd(in, Map.of("multifd-channels", 4L));
            out.setParameters(Map.of("max-bandwidth", 4L << 20)); // 64 MiB at 4 MiB/s: long enough to cancel
            out.migrate(in.migrateIncoming("tcp:127.0.0.1:0"));
            until(out::queryMigrate, i -> i.status() == MigrationStatus.ACTIVE
                    && i.ram() != null && i.ram().transferred() > (1 << 20), "active with pages sent");

            assertThat(out.cancel()).isTrue();

            MigrationInfo info = end(out);
            assertThat(info.status()).isEqualTo(MigrationStatus.CANCELLED);
            assertThat(src.state()).isEqualTo(RunState.RUNNING);
            MigrationInfo dest = end(in);
            assertThat(dest.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(dst.state()).as("never runs half-loaded").isNotEqualTo(RunState.RUNNING);
        }
    }

    @Test
    void refusesPacketsOfAnotherCompression() throws Exception {
        try (Machine src = source(4); Machine dst = new Machine("dst");
                Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE);
                Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE)) {
            multifd(out, Map.of("multifd-channels", 2L, "multifd-compression", "zlib"));
            multifd(in, Map.of("multifd-channels", 2L, "multifd-compression", "zstd"));
            out.setCapabilities(Map.of(Capability.RETURN_PATH, true)); // so the source hears of the refusal
            in.setCapabilities(Map.of(Capability.RETURN_PATH, true));
            out.migrate(in.migrateIncoming("tcp:127.0.0.1:0"));

            MigrationInfo dest = end(in);
            MigrationInfo info = end(out);

            assertThat(dest.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(dest.errorDesc()).contains("compression flags 0x2; expected 0x4");
            assertThat(info.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(src.state()).as("a failed migration leaves the source running").isEqualTo(RunState.RUNNING);
            assertThat(dst.state()).isNotEqualTo(RunState.RUNNING);
        }
    }

    @Test
    void aChannelClosedMidMigrationFailsItNamingTheChannelAndTheSourceRunsOn() throws Exception {
        try (Machine src = source(64); Machine dst = new Machine("dst");
                Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE);
                Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE)) {
            multifd(out, Map.of("multifd-channels", 2L));
            multifd(in, Map.of("multifd-channels", 2L));
            out.setParameters(Map.of("max-bandwidth", 16L << 20)); // 64 MiB at 16 MiB/s: cut well before the end
            try (ChannelCutter cutter = new ChannelCutter(in.migrateIncoming("tcp:127.0.0.1:0"), 1, 2 << 20)) {
                out.migrate(cutter.uri());

                MigrationInfo info = end(out);
                MigrationInfo dest = end(in);

                assertThat(cutter.cut.getCount()).as("the proxy cut channel 1").isZero();
                assertThat(info.status()).isEqualTo(MigrationStatus.FAILED);
                assertThat(info.errorDesc()).startsWith("multifd channel 1 ");
                assertThat(src.state()).as("the source runs on, no cont needed").isEqualTo(RunState.RUNNING);
                long before = src.ram().getFirst().getByte(4096);
                until(() -> src.ram().getFirst().getByte(4096), b -> b != before, "the source's writer going on");
                assertThat(dest.status()).isEqualTo(MigrationStatus.FAILED);
                assertThat(dest.errorDesc()).contains("multifd channel 1");
                assertThat(dst.state()).as("never runs half-loaded").isNotEqualTo(RunState.RUNNING);
            }
        }
    }
}

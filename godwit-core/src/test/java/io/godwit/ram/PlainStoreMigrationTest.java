package io.godwit.ram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.migration.LocalMigration;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.Parameters;
import io.godwit.savevm.HandlerRegistry;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A live migration of RAM written with plain MemorySegment stores by several threads: the dirty
 * tracker must find every write, so the destination's RAM equals the paused source's. The first
 * half of the block is written all along (and swept once after the bulk pass, see SweepGate); the
 * second half holds data written before the migration and never again.
 */
class PlainStoreMigrationTest {
    static final long SIZE = 16L << 20;
    static final int WRITERS = 3;

    /** The digests are SHA-256 over every byte of the block on each side, read as they are. */
    record Outcome(LocalMigration.Result result, String source, String destination, boolean swept) {}

    @Test
    void kernelTrackingBringsEveryPlainStoreToTheDestination() throws Exception {
        DirtyTracking.Availability a = DirtyTracking.kernel();
        assumeTrue(a.available(), () -> "kernel dirty tracking unavailable: " + a.reason());
        Outcome o = migrate(DirtyTracking.create(DirtyTracking.Mode.KERNEL));
        assertThat(o.result().completed()).as("%s", o.result()).isTrue();
        assertThat(o.swept()).isTrue();
        assertThat(o.destination()).isEqualTo(o.source());
        assertThat(o.result().source().ram().dirtyTracking()).isEqualTo("kernel");
    }

    @Test
    void hashTrackingBringsEveryPlainStoreToTheDestination() throws Exception {
        Outcome o = migrate(DirtyTracking.create(DirtyTracking.Mode.HASH));
        assertThat(o.result().completed()).as("%s", o.result()).isTrue();
        assertThat(o.swept()).isTrue();
        assertThat(o.destination()).isEqualTo(o.source());
        assertThat(o.result().source().ram().dirtyTracking()).isEqualTo("hash");
    }

    @Test
    void explicitTrackingMissesPlainStores() throws Exception {
        Outcome o = migrate(DirtyTracker.EXPLICIT);
        assertThat(o.result().completed()).as("%s", o.result()).isTrue();
        assertThat(o.swept()).isTrue();
        assertThat(o.destination()).as("the sweep after the bulk pass never reached the destination")
                .isNotEqualTo(o.source());
        assertThat(o.result().source().ram().dirtyTracking()).isEqualTo("explicit");
    }

    /** Every byte, read: unlike MachineDigest, blind to nothing a block believes about its pages. */
    static String sha256(RamBlock b) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        md.update(b.segment().asByteBuffer());
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    private static Outcome migrate(DirtyTracker tracker) throws Exception {
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst")) {
            RamBlock block = src.addRam("pc.ram", SIZE, false, tracker);
            dst.addRam("pc.ram", SIZE);
            MemorySegment seg = block.segment();
            long half = block.pages() / 2;
            for (long p = half; p < block.pages(); p += 3) {
                seg.set(ValueLayout.JAVA_LONG, (p << RamBlock.PAGE_SHIFT) + 64, ~p); // before the migration, plain
            }
            AtomicLong sweeps = new AtomicLong();
            List<PlainStoreWriter> writers = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                writers.add(new PlainStoreWriter(seg, i, WRITERS, half, sweeps, 20_000, i));
            }
            SweepGate gate = new SweepGate(sweeps, writers);
            src.registry().register(SweepGate.IDSTR, 0, 1, HandlerRegistry.PRIORITY_DEFAULT, gate);
            dst.registry().register(SweepGate.IDSTR, 0, 1, HandlerRegistry.PRIORITY_DEFAULT, gate);
            writers.forEach(src::addWorkload);
            src.start();

            LocalMigration.Result r = LocalMigration.run(src, dst, Parameters.defaults().withMaxBandwidth(0),
                    Capabilities.of(Capability.RETURN_PATH), Duration.ofMinutes(2));
            if (tracker != DirtyTracker.EXPLICIT) {
                assertThat(MachineDigest.of(dst)).isEqualTo(MachineDigest.of(src));
            }
            return new Outcome(r, sha256(block), sha256(dst.ram("pc.ram")), gate.swept());
        }
    }
}

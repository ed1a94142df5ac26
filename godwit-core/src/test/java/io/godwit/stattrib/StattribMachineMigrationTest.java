package io.godwit.stattrib;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.migration.LocalMigration;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.Parameters;
import io.godwit.ram.RamBlock;
import io.godwit.stats.Counter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A whole migration of a machine with storage attributes: the states arrive, unused pages are skipped. */
class StattribMachineMigrationTest {
    static final long MIB = 1 << 20;

    @Test
    void statesArriveAndUnusedPagesAreNotSent() throws Exception {
        try (Machine from = new Machine("src"); Machine to = new Machine("dst")) {
            from.addRam("pc.ram", 4 * MIB);
            to.addRam("pc.ram", 4 * MIB);
            StorageAttributes attrs = from.enableStorageAttributes();
            StorageAttributes attrs2 = to.enableStorageAttributes();
            RamBlock ram = from.ram("pc.ram");
            for (long p = 0; p < ram.pages(); p++) {
                ram.putByte(p << 12, (byte) (p % 255 + 1)); // never zero
            }
            for (long p = 0; p < ram.pages(); p += 3) {
                attrs.set(p, PageState.UNUSED);
            }
            attrs.set(1, PageState.VOLATILE);
            attrs.set(2, PageState.ZERO);
            to.ram("pc.ram").putByte(3 << 12, (byte) 0x77); // an unused page, with old contents there

            LocalMigration.Result r = LocalMigration.run(from, to, Parameters.defaults().withMaxBandwidth(0),
                    Capabilities.of(Capability.RETURN_PATH), Duration.ofMinutes(1));

            assertThat(r.completed()).as("%s", r).isTrue();
            StattribMigrationTest.assertEqualStates(attrs2, attrs);
            assertThat(MachineDigest.of(to)).isEqualTo(MachineDigest.of(from));
            assertThat(to.ram("pc.ram").getByte(3 << 12)).as("unused: zero").isZero();
            assertThat(to.ram("pc.ram").getByte(4 << 12)).isEqualTo((byte) 5);
            assertThat(r.source().ram().skipped()).isEqualTo(342); // pages 0, 3, ..., 1023
            assertThat(r.source().ram().normal()).as("only used pages carry data").isEqualTo(1024 - 342);
        }
    }
}

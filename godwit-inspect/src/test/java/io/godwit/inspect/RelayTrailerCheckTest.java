package io.godwit.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.godwit.clock.Clock;
import io.godwit.machine.ForeignState;
import io.godwit.machine.Machine;
import io.godwit.migration.IncomingMigration;
import io.godwit.migration.MigrationListener;
import io.godwit.migration.MigrationStatus;
import io.godwit.options.Capabilities;
import io.godwit.savevm.RawSection;
import io.godwit.transport.Transports;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An embedder's blank machine with {@link TrailerCheck#forRelay()} takes a QEMU stream only as its trailer describes it. */
class RelayTrailerCheckTest {
    @TempDir
    Path dir;

    IncomingMigration receive(Machine m, QemuLikeStream s) throws Exception {
        Path f = s.b.write(dir.resolve("guest.mig"));
        IncomingMigration in = new IncomingMigration(m, Transports.listen("file:" + f).accept(), Capabilities.defaults(),
                Clock.system(), MigrationListener.NONE);
        in.run();
        return in;
    }

    @Test
    void keepsEachDeviceSectionWithItsDescription() throws Exception {
        try (Machine m = new Machine("relay")) {
            m.setRawSectionCheck(TrailerCheck.forRelay());

            IncomingMigration in = receive(m, new QemuLikeStream());

            assertThat(in.status()).as("%s", in.error()).isEqualTo(MigrationStatus.COMPLETED);
            List<RawSection> raw = ForeignState.rawSections(m);
            assertThat(raw).extracting(RawSection::idstr).containsExactly("cpu", "slirp", "dma", "dma");
            assertThat(raw.getFirst().state()).isEqualTo(QemuLikeStream.cpuPayload());
            ObjectMapper json = new ObjectMapper();
            assertThat(json.readTree(raw.getFirst().description()))
                    .isEqualTo(json.readTree(QemuLikeStream.CPU));
            assertThat(json.readTree(raw.get(3).description()).path("instance_id").asInt()).isEqualTo(1);
        }
    }

    @Test
    void refusesASectionItsTrailerDescribesOtherwiseAndStaysStopped() throws Exception {
        String longer = QemuLikeStream.CPU.replace("\"env.pkru\", \"type\": \"uint32\", \"size\": 4",
                "\"env.pkru\", \"type\": \"uint64\", \"size\": 8");
        try (Machine m = new Machine("relay")) {
            m.setRawSectionCheck(TrailerCheck.forRelay());

            IncomingMigration in = receive(m, new QemuLikeStream(longer, QemuLikeStream.cpuPayload()));

            assertThat(in.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(in.error()).contains("device section 'cpu' instance 0 does not match the source's trailer");
            assertThat(m.state().running()).isFalse();
        }
    }

    /** A section whose version was changed (fw_cfg 2 -> 3 in a real stream) disagrees with the trailer. */
    @Test
    void refusesASectionWhoseVersionIsNotTheTrailersAndStaysStopped() throws Exception {
        String other = QemuLikeStream.CPU.replace("\"vmsd_name\": \"cpu\", \"version\": 12",
                "\"vmsd_name\": \"cpu\", \"version\": 13");
        try (Machine m = new Machine("relay")) {
            m.setRawSectionCheck(TrailerCheck.forRelay());

            IncomingMigration in = receive(m, new QemuLikeStream(other, QemuLikeStream.cpuPayload()));

            assertThat(in.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(in.error()).contains("device section 'cpu' instance 0 has version 12 in its header but the "
                    + "source's trailer describes version 13");
            assertThat(m.state().running()).isFalse();
        }
    }
}

package io.godwit.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A FULL section is walked field by field from its trailer description, and must end at its footer. */
class VmStateWalkTest {
    @TempDir
    Path dir;

    static VmStateDescription description() throws Exception {
        return VmStateDescription.parse(QemuLikeStream.trailer(QemuLikeStream.CPU));
    }

    @Test
    void walksEveryDescribedFieldOfAQemuLikeStream() throws Exception {
        QemuLikeStream s = new QemuLikeStream();
        InspectReport r = new StreamInspector(s.b.write(dir.resolve("s.bin")), null, Progress.NONE).inspect();

        assertThat(r.devices).hasSize(4);
        InspectReport.Device cpu = r.devices.get(0);
        assertThat(cpu.description.vmsdName()).isEqualTo("cpu");
        assertThat(cpu.sectionId).isEqualTo(5);
        assertThat(cpu.offset).isEqualTo(s.cpuSection);
        assertThat(cpu.bytes).isEqualTo(QemuLikeStream.cpuPayload().length);
        assertThat(cpu.fields).isEqualTo(QemuLikeStream.CPU_LEAVES);
        assertThat(r.devices.get(1).description.vmsdName()).as("old style").isNull();
        assertThat(r.devices.get(1).bytes).isEqualTo(10);
        assertThat(r.devices.get(2).bytes).as("dma instance 0").isEqualTo(3);
        assertThat(r.devices.get(3).bytes).as("dma instance 1").isEqualTo(5);
        assertThat(r.sections).extracting(InspectReport.Section::type)
                .containsExactly("START", "PART", "END", "FULL", "FULL", "FULL", "FULL");
        assertThat(r.sections.get(3).payloadBytes()).isEqualTo(QemuLikeStream.cpuPayload().length);
        assertThat(r.eofOffset).isEqualTo(s.eofAt);
        assertThat(r.trailerOffset).isEqualTo(s.trailerAt);
        assertThat(r.warnings).isEmpty();
    }

    @Test
    void publicWalkReturnsTheBytesTheDescriptionConsumes() throws Exception {
        byte[] payload = QemuLikeStream.cpuPayload();
        DeviceDescription cpu = description().device("cpu", 0);

        assertThat(cpu.walk(payload)).isEqualTo(payload.length);
        assertThat(cpu.walk(Arrays.copyOf(payload, payload.length + 7))).as("extra bytes are the caller's to judge")
                .isEqualTo(payload.length);
        assertThat(description().device("cpu", 1)).isNull();
        assertThat(description().device("dma", 1).walk(new byte[5])).isEqualTo(5);
        assertThat(description().pageSize()).isEqualTo(4096);
    }

    @Test
    void shortPayloadNamesTheFieldAndItsOffset() throws Exception {
        // regs 32, eip 8, segs[0] 12, segs[1].selector 4: segs[1].base starts at 56
        byte[] shortPayload = Arrays.copyOf(QemuLikeStream.cpuPayload(), 60);

        VmStateException e = catchThrowableOfType(VmStateException.class,
                () -> description().device("cpu", 0).walk(shortPayload));

        assertThat(e.path()).isEqualTo("cpu.env.segs[1].base");
        assertThat(e.offset()).isEqualTo(56);
        assertThat(e.reason()).contains("expected 8 bytes of uint64 from 0x38, the data ends at 0x3c");
    }

    @Test
    void missingSubsectionIsNamedWithItsOffset() throws Exception {
        byte[] payload = QemuLikeStream.cpuPayload();
        int pkru = payload.length - (1 + 1 + "cpu/pkru".length() + 4 + 4);

        VmStateException cut = catchThrowableOfType(VmStateException.class,
                () -> description().device("cpu", 0).walk(Arrays.copyOf(payload, pkru)));
        byte[] other = payload.clone();
        other[pkru] = 0x7e;
        VmStateException wrong = catchThrowableOfType(VmStateException.class,
                () -> description().device("cpu", 0).walk(other));

        assertThat(cut.path()).isEqualTo("cpu.subsection(cpu/pkru)");
        assertThat(cut.offset()).isEqualTo(pkru);
        assertThat(cut.reason()).contains("expected subsection 'cpu/pkru' (0x05), the data ends");
        assertThat(wrong.offset()).isEqualTo(pkru);
        assertThat(wrong.reason()).contains("found 0x7e");
    }

    @Test
    void subsectionOfAnotherNameOrVersionIsRefused() throws Exception {
        byte[] payload = QemuLikeStream.cpuPayload();
        int pkru = payload.length - (1 + 1 + "cpu/pkru".length() + 4 + 4);
        byte[] renamed = payload.clone();
        renamed[pkru + 2 + "cpu/pkr".length()] = 'x';
        byte[] version = payload.clone();
        version[pkru + 2 + "cpu/pkru".length() + 3] = 9;

        VmStateException name = catchThrowableOfType(VmStateException.class,
                () -> description().device("cpu", 0).walk(renamed));
        VmStateException ver = catchThrowableOfType(VmStateException.class,
                () -> description().device("cpu", 0).walk(version));

        assertThat(name.reason()).contains("expected subsection 'cpu/pkru', found 'cpu/pkrx'");
        assertThat(name.offset()).isEqualTo(pkru);
        assertThat(ver.reason()).contains("subsection version 9 in the stream, 1 in the trailer");
    }

    @Test
    void nestedSubsectionInsideAStructElementIsWalked() throws Exception {
        byte[] payload = QemuLikeStream.cpuPayload();
        int mask = 32 + 8 + 24 + 20 + 8; // mtrr[0]'s subsection header
        byte[] broken = payload.clone();
        broken[mask] = 0x06;

        VmStateException e = catchThrowableOfType(VmStateException.class,
                () -> description().device("cpu", 0).walk(broken));

        assertThat(e.path()).isEqualTo("cpu.env.mtrr[0].subsection(mtrr/mask)");
        assertThat(e.offset()).isEqualTo(mask);
    }

    @Test
    void structWhoseFieldsDisagreeWithItsSizeIsRefused() throws Exception {
        String cpu = QemuLikeStream.CPU.replace("\"size\": 12}", "\"size\": 13}");
        VmStateDescription d = VmStateDescription.parse(QemuLikeStream.trailer(cpu));

        VmStateException e = catchThrowableOfType(VmStateException.class,
                () -> d.device("cpu", 0).walk(QemuLikeStream.cpuPayload()));

        assertThat(e.path()).isEqualTo("cpu.env.segs[0]");
        assertThat(e.offset()).isEqualTo(40);
        assertThat(e.reason()).contains("gives this struct 13 bytes but its fields take 12");
    }

    @Test
    void capabilityFieldIsALengthAndAName() throws Exception {
        VmStateDescription d = VmStateDescription.parse("{\"devices\": [{\"name\": \"configuration\", "
                + "\"instance_id\": 0, \"fields\": [{\"name\": \"capabilities\", \"array_len\": 2, "
                + "\"type\": \"capability\", \"size\": 16}]}]}");
        byte[] payload = new StreamBuilder().str8("x-ignore-shared").str8("zero").bytes();

        assertThat(d.device("configuration", 0).walk(payload)).isEqualTo(payload.length);
        assertThat(d.pageSize()).isEqualTo(-1);
    }
}

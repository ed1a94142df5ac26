package io.godwit.machine;

import static io.godwit.stream.Bytes.ascii;
import static io.godwit.stream.Bytes.be32;
import static io.godwit.stream.Bytes.be64;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Bytes.str8;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.clock.Clock;
import io.godwit.migration.IncomingMigration;
import io.godwit.migration.LocalMigration;
import io.godwit.migration.MigrationListener;
import io.godwit.migration.MigrationStatus;
import io.godwit.options.Capabilities;
import io.godwit.options.Parameters;
import io.godwit.ram.RamBlock;
import io.godwit.savevm.RawSection;
import io.godwit.transport.Transports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blank machine receiving a QEMU guest (a stream laid out as QEMU 7.2 writes it) takes its
 * machine type, RAM blocks and device state, and passes all of it on when it migrates again.
 */
public class ForeignStateTest {
    static final String TYPE = "pc-i440fx-7.2";
    static final String ROM = "/rom@etc/acpi/tables";
    static final byte[] TIMER_STATE = hex("00000001 2a3b7521 7e 00000003 04 00 | 0000000000000000 | 000000008e495e77");
    static final byte[] SERIAL_STATE = concat(hex("0001 00 7e 05"), str8("serial/fifo"), hex("00000001 00ff"));
    public static final String TRAILER_JSON = "{\"page_size\": 4096, \"devices\": [{\"name\": \"timer\", \"instance_id\": 0, "
            + "\"vmsd_name\": \"timer\", \"version\": 2, \"fields\": [{\"name\": \"t\", \"type\": \"buffer\", "
            + "\"size\": 24}]}]}";

    @TempDir
    Path dir;

    static byte[] page(int fill) {
        byte[] p = new byte[4096];
        Arrays.fill(p, (byte) fill);
        return p;
    }

    /** Header, configuration, RAM (START with two blocks, END with pages), two devices, EOF, trailer. */
    public static byte[] qemuStream() {
        byte[] ramStart = concat(hex("01 00000002"), str8("ram"), hex("00000000 00000004"),
                be64((0x10000 + 0x2000) | 0x04), str8("pc.ram"), be64(0x10000), str8(ROM), be64(0x2000),
                be64(0x10), hex("7e 00000002"));
        byte[] ramEnd = concat(hex("03 00000002"),
                be64(0x1000 | 0x08), str8("pc.ram"), page(0xab),
                be64(0x3000 | 0x08 | 0x20), page(0xcd),
                be64(0x08), str8(ROM), page(0x5a),
                be64(0x10), hex("7e 00000002"));
        byte[] timer = concat(hex("04 00000003"), str8("timer"), hex("00000000 00000002"), TIMER_STATE,
                hex("7e 00000003"));
        byte[] serial = concat(hex("04 00000013"), str8("serial"), hex("00000000 00000003"), SERIAL_STATE,
                hex("7e 00000013"));
        return concat(hex("5145564d 00000003 07"), be32(TYPE.length()), ascii(TYPE), ramStart, ramEnd, timer, serial,
                hex("00 06"), be32(TRAILER_JSON.length()), ascii(TRAILER_JSON));
    }

    public static IncomingMigration receive(Path dir, Machine m, byte[] stream) throws IOException {
        Path f = dir.resolve("guest.mig");
        Files.write(f, stream);
        IncomingMigration in = new IncomingMigration(m, Transports.listen("file:" + f).accept(), Capabilities.defaults(),
                Clock.system(), MigrationListener.NONE);
        in.run();
        return in;
    }

    /** QEMU 10 sends SWITCHOVER_START (command 11, no data) just before its stop-copy. */
    @Test
    void takesQemu10sSwitchoverStartBeforeTheDeviceState() throws IOException {
        byte[] stream = qemuStream();
        int timerAt = indexOf(stream, concat(hex("04 00000003"), str8("timer")));
        byte[] withCommand = concat(Arrays.copyOf(stream, timerAt), hex("08 000b 0000"),
                Arrays.copyOfRange(stream, timerAt, stream.length));
        try (Machine m = new Machine("dst")) {
            m.setRawSectionCheck((json, sections) -> {});
            IncomingMigration in = receive(dir, m, withCommand);
            assertThat(in.status()).as("%s", in.error()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(m.ram("pc.ram").getByte(0x1000)).isEqualTo((byte) 0xab);
        }
    }

    @Test
    void blankMachineTakesTheGuestAsItComes() throws IOException {
        try (Machine m = new Machine("dst")) {
            List<String> checked = new ArrayList<>();
            m.setRawSectionCheck((json, sections) -> {
                checked.add(json);
                sections.forEach(s -> checked.add(s.idstr()));
            });
            IncomingMigration in = receive(dir, m, qemuStream());

            assertThat(in.status()).as("%s", in.error()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(m.state()).isEqualTo(RunState.RUNNING);
            assertThat(m.machineType()).isEqualTo(TYPE);
            assertThat(m.ram()).extracting(RamBlock::name, RamBlock::size)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("pc.ram", 0x10000L),
                            org.assertj.core.groups.Tuple.tuple(ROM, 0x2000L));
            RamBlock ram = m.ram("pc.ram");
            assertThat(ram.getByte(0)).isZero();
            assertThat(ram.getByte(0x1000)).isEqualTo((byte) 0xab);
            assertThat(ram.getByte(0x3fff)).isEqualTo((byte) 0xcd);
            assertThat(m.ram(ROM).getByte(0xfff)).isEqualTo((byte) 0x5a);
            List<RawSection> raw = ForeignState.rawSections(m);
            assertThat(raw).extracting(RawSection::idstr).containsExactly("timer", "serial");
            assertThat(raw.get(0).state()).isEqualTo(TIMER_STATE);
            assertThat(raw.get(1).state()).isEqualTo(SERIAL_STATE);
            assertThat(checked).containsExactly(TRAILER_JSON, "timer", "serial");
        }
    }

    @Test
    void migratesTheGuestOnUnchanged() throws Exception {
        try (Machine first = new Machine("first"); Machine second = new Machine("second")) {
            assertThat(receive(dir, first, qemuStream()).status()).isEqualTo(MigrationStatus.COMPLETED);

            LocalMigration.Result r = LocalMigration.run(first, second, Parameters.defaults(), Capabilities.defaults(),
                    Duration.ofMinutes(1));

            assertThat(r.completed()).as("%s", r).isTrue();
            assertThat(second.machineType()).isEqualTo(TYPE);
            assertThat(second.ram()).extracting(RamBlock::name).containsExactly("pc.ram", ROM);
            assertThat(MachineDigest.of(second)).isEqualTo(MachineDigest.of(first));
            List<RawSection> raw = ForeignState.rawSections(second);
            assertThat(raw).extracting(RawSection::idstr, RawSection::versionId)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("timer", 2),
                            org.assertj.core.groups.Tuple.tuple("serial", 3));
            assertThat(raw.get(0).state()).isEqualTo(TIMER_STATE);
            assertThat(raw.get(1).state()).isEqualTo(SERIAL_STATE);
        }
    }

    @Test
    void failedCheckFailsTheLoadAndTheMachineStaysStopped() throws IOException {
        try (Machine m = new Machine("dst")) {
            m.setRawSectionCheck((json, sections) -> {
                throw new IOException("section 'timer' is 20 bytes; its description says 24");
            });
            IncomingMigration in = receive(dir, m, qemuStream());

            assertThat(in.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(in.error()).contains("section 'timer' is 20 bytes");
            assertThat(m.state().running()).isFalse();
        }
    }

    @Test
    void machineWithRamOfItsOwnRefusesAForeignGuest() throws IOException {
        try (Machine m = new Machine("dst")) {
            m.addRam("pc.ram", 0x10000);
            IncomingMigration in = receive(dir, m, qemuStream());

            assertThat(in.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(in.error()).contains("machine type received is 'pc-i440fx-7.2'");
            assertThat(m.ram()).hasSize(1);
            assertThat(ForeignState.rawSections(m)).isEmpty();
        }
    }

    @Test
    void blockLargerThanTheTotalIsRefused() throws IOException {
        byte[] s = qemuStream();
        byte[] bad = s.clone();
        // the first block claims 1 GiB of a 72 KiB total
        int at = indexOf(s, concat(str8("pc.ram"), be64(0x10000)));
        System.arraycopy(be64(1L << 30), 0, bad, at + 7, 8);
        try (Machine m = new Machine("dst")) {
            IncomingMigration in = receive(dir, m, bad);
            assertThat(in.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(in.error()).contains("RAM block 'pc.ram' of 1073741824 bytes");
            assertThat(m.ram()).isEmpty();
        }
    }

    /** No handler has an empty name: adopting one failed in the registry, without an offset. */
    @Test
    void blankMachineRefusesAFullSectionWithAnEmptyIdstrAtItsHeader() throws IOException {
        byte[] stream = concat(hex("5145564d 00000003"), hex("04 00000003 00 00000000 00000001"), TIMER_STATE,
                hex("7e 00000003 00"));
        try (Machine m = new Machine("dst")) {
            IncomingMigration in = receive(dir, m, stream);

            assertThat(in.failure()).isExactlyInstanceOf(io.godwit.stream.StreamFormatException.class);
            assertThat(in.error()).isEqualTo("unknown section '' instance 0: expected a handler registered on the "
                    + "destination at byte offset 8");
            assertThat(ForeignState.rawSections(m)).isEmpty();
        }
    }

    /**
     * 100 bytes of 0xff decode as 100 U+FFFD, 300 bytes of UTF-8: too long to register, and not
     * what came. Neither a device section nor a RAM block of such a name can be kept and sent on.
     */
    @Test
    void blankMachineRefusesNamesOfInvalidUtf8AtTheirRecords() throws IOException {
        byte[] name = new byte[101];
        Arrays.fill(name, (byte) 0xff);
        name[0] = 100;
        byte[] device = concat(hex("5145564d 00000003 04 00000003"), name, hex("00000000 00000001"), TIMER_STATE,
                hex("7e 00000003 00"));
        byte[] ram = concat(hex("5145564d 00000003 01 00000002"), str8("ram"), hex("00000000 00000004"),
                be64(0x10000 | 0x04), name, be64(0x10000), be64(0x10), hex("7e 00000002 00"));
        try (Machine m = new Machine("dst")) {
            IncomingMigration in = receive(dir, m, device);
            assertThat(in.failure()).isExactlyInstanceOf(io.godwit.stream.StreamFormatException.class);
            assertThat(in.error()).startsWith("unknown section '\ufffd\ufffd").endsWith(" at byte offset 8");
        }
        try (Machine m = new Machine("dst")) {
            IncomingMigration in = receive(dir, m, ram);
            assertThat(in.failure()).isExactlyInstanceOf(io.godwit.stream.StreamFormatException.class);
            assertThat(in.error()).startsWith("RAM block '\ufffd\ufffd").contains("cannot be kept")
                    .endsWith(" at byte offset 33");
            assertThat(m.ram()).isEmpty();
        }
    }

    /**
     * A bit flip in a FULL header's section id: a blank machine adopts the section and looks for
     * a footer with that id, which never comes. The refusal names the header, not the stream's end.
     */
    @Test
    void corruptFullHeaderIsRefusedAtTheHeaderNotAtTheEndOfTheStream() throws IOException {
        byte[] bad = qemuStream();
        int header = indexOf(bad, concat(hex("04 00000003"), str8("timer")));
        bad[header + 3] = 0x01; // section id 3 becomes 0x103
        try (Machine m = new Machine("dst")) {
            IncomingMigration in = receive(dir, m, bad);

            assertThat(in.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(in.failure()).isExactlyInstanceOf(io.godwit.stream.StreamFormatException.class);
            assertThat(((io.godwit.stream.StreamFormatException) in.failure()).offset()).isEqualTo(header);
            assertThat(in.error()).isEqualTo("FULL section 'timer' (id 259) has no footer (0x7e and id 259) before the "
                    + "stream ends at byte offset " + bad.length + "; is its header corrupt? at byte offset " + header);
            assertThat(m.state()).isEqualTo(RunState.INMIGRATE);
        }
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}

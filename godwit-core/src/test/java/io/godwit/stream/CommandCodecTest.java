package io.godwit.stream;

import static io.godwit.stream.Bytes.framed;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Bytes.input;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** QEMU_VM_COMMAND: 0x08, be16 command, be16 length, payload (savevm.c qemu_savevm_command_send). */
class CommandCodecTest {

    /** One hand-written frame per command, with a payload shaped as QEMU sends it. */
    static Stream<Arguments> goldenCommands() {
        return Stream.of(
                Arguments.of(CommandType.OPEN_RETURN_PATH, "", "08 0001 0000"),
                Arguments.of(CommandType.PING, "01020304", "08 0002 0004 01020304"),
                // be64 host page size, be64 target page size
                Arguments.of(CommandType.POSTCOPY_ADVISE, "0000000000001000 0000000000001000",
                        "08 0003 0010 0000000000001000 0000000000001000"),
                Arguments.of(CommandType.POSTCOPY_LISTEN, "", "08 0004 0000"),
                Arguments.of(CommandType.POSTCOPY_RUN, "", "08 0005 0000"),
                // u8 version 0, u8 length + block name, then be64 start / be64 length pairs
                Arguments.of(CommandType.POSTCOPY_RAM_DISCARD, "00 03 72616d 0000000000000000 0000000000002000",
                        "08 0006 0015 00 03 72616d 0000000000000000 0000000000002000"),
                Arguments.of(CommandType.PACKAGED, "00001000", "08 0007 0004 00001000"),
                Arguments.of(CommandType.ENABLE_COLO, "", "08 0008 0000"),
                Arguments.of(CommandType.POSTCOPY_RESUME, "", "08 0009 0000"),
                // u8 length + block name
                Arguments.of(CommandType.RECV_BITMAP, "03 72616d", "08 000a 0004 03 72616d"),
                Arguments.of(CommandType.SWITCHOVER_START, "", "08 000b 0000"));
    }

    @Test
    void everyCommandHasAGoldenFrame() {
        Set<CommandType> covered = goldenCommands().map(a -> (CommandType) a.get()[0]).collect(Collectors.toSet());
        assertThat(covered).isEqualTo(EnumSet.allOf(CommandType.class));
    }

    @Test
    void commandCodesAreQemus() {
        assertThat(Arrays.stream(CommandType.values()).map(t -> t.code))
                .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    }

    @ParameterizedTest
    @MethodSource("goldenCommands")
    void writesCommandAsTypeCodeLengthPayload(CommandType type, String payload, String golden) throws IOException {
        Command c = new Command(type, hex(payload));
        assertThat(framed(w -> w.write(c))).containsExactly(hex(golden));
    }

    @ParameterizedTest
    @MethodSource("goldenCommands")
    void readsHandWrittenCommand(CommandType type, String payload, String golden) throws IOException {
        StreamInput in = input(hex(golden));
        assertThat(new MigrationStreamReader(in).next()).isEqualTo(new Command(type, hex(payload)));
        assertThat(in.hasMore()).isFalse();
    }

    @ParameterizedTest
    @MethodSource("goldenCommands")
    void roundTripsEveryCommand(CommandType type, String payload, String golden) throws IOException {
        Command c = new Command(type, hex(payload));
        assertThat(new MigrationStreamReader(input(framed(w -> w.write(c)))).next()).isEqualTo(c);
    }

    @Test
    void roundTripsVariableLengthCommandsOfAnyLength() throws IOException {
        for (int len : new int[] {0, 1, 255, 256, 0xffff}) {
            byte[] data = new byte[len];
            Arrays.fill(data, (byte) 0xa5);
            Command c = new Command(CommandType.POSTCOPY_RAM_DISCARD, data);
            byte[] bytes = framed(w -> w.write(c));
            assertThat(bytes).hasSize(5 + len);
            assertThat(new MigrationStreamReader(input(bytes)).next()).isEqualTo(c);
        }
    }

    @Test
    void pingCarriesItsValue() throws IOException {
        Command c = (Command) new MigrationStreamReader(input(hex("08 0002 0004 fffffffe"))).next();
        assertThat(c).isEqualTo(Command.ping(-2));
        assertThat(c.intValue()).isEqualTo(-2);
    }
}

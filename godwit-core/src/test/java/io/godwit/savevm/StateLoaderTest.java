package io.godwit.savevm;

import static io.godwit.stream.Bytes.ascii;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.options.Capabilities;
import io.godwit.stream.Bytes;
import io.godwit.stream.Command;
import io.godwit.stream.CommandType;
import io.godwit.stream.Configuration;
import io.godwit.stream.MigrationStreamReader;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the loader accepts: the optional parts of a stream, commands, and sections in any order. */
class StateLoaderTest {
    static final byte[] HEADER = hex("5145564d 00000003");
    // FULL, section 0, "dev", instance 0, version 1, payload be32 7, footer 0: 17 + 4 + 5 bytes
    static final byte[] DEV_FULL = hex("04 00000000 03 646576 00000000 00000001 | 00000007 | 7e 00000000");
    static final byte[] EOF = hex("00");

    final HandlerRegistry registry = new HandlerRegistry();
    final FakeHandler dev = new FakeHandler();
    final List<String> commands = new ArrayList<>();

    StateLoaderTest() {
        registry.register("dev", 1, dev);
    }

    StateLoader loader(byte[] stream, String machineType) {
        StreamInput in = Bytes.chopped(stream, 11);
        LoadContext ctx = new LoadContext(in, Capabilities.defaults(), () -> {});
        return new StateLoader(registry, new MigrationStreamReader(in), ctx,
                (c, offset) -> commands.add(c.type() + "@" + offset), machineType);
    }

    @Test
    void acceptsStreamWithoutConfiguration() throws IOException {
        byte[] stream = concat(HEADER, DEV_FULL, EOF);
        StateLoader.Result r = loader(stream, "pc-q35").load();
        assertThat(r.configuration()).isNull();
        assertThat(r.vmDescription()).isNull();
        assertThat(r.sections()).isEqualTo(1);
        assertThat(r.bytes()).isEqualTo(stream.length);
        assertThat(dev.calls).containsExactly("setup", "load v1 7", "cleanup");
    }

    @Test
    void acceptsConfigurationNamingTheLocalMachineType() throws IOException {
        byte[] config = concat(hex("07 00000006"), ascii("pc-q35"));
        StateLoader.Result r = loader(concat(HEADER, config, DEV_FULL, EOF), "pc-q35").load();
        assertThat(r.configuration()).isEqualTo(Configuration.of("pc-q35"));
        assertThat(dev.calls).contains("load v1 7");
    }

    @Test
    void acceptsAnyMachineTypeWhenNoneIsRequired() throws IOException {
        byte[] config = concat(hex("07 00000004"), ascii("virt"));
        StateLoader.Result r = loader(concat(HEADER, config, DEV_FULL, EOF), null).load();
        assertThat(r.configuration().machineType()).isEqualTo("virt");
    }

    @Test
    void readsOptionalVmDescriptionAfterEof() throws IOException {
        String json = "{\"devices\": []}";
        byte[] stream = concat(HEADER, DEV_FULL, EOF, hex("06 0000000f"), ascii(json));
        StateLoader.Result r = loader(stream, null).load();
        assertThat(r.vmDescription()).isEqualTo(json);
        assertThat(r.bytes()).isEqualTo(stream.length);
    }

    @Test
    void acceptsStreamWithNoSectionsAtAll() throws IOException {
        StateLoader.Result r = loader(concat(HEADER, EOF), null).load();
        assertThat(r.sections()).isZero();
        assertThat(dev.calls).containsExactly("setup", "cleanup");
    }

    @Test
    void callsCommandListenerForEachCommandWithItsOffset() throws IOException {
        // OPEN_RETURN_PATH at 8, PING at 13, the section at 22, POSTCOPY_RUN at 48, EOF at 53
        byte[] stream = concat(HEADER, hex("08 0001 0000"), hex("08 0002 0004 00000005"), DEV_FULL,
                hex("08 0005 0000"), EOF);
        Command[] seen = new Command[3];
        int[] n = {0};
        StreamInput in = Bytes.input(stream);
        StateLoader loader = new StateLoader(registry, new MigrationStreamReader(in),
                new LoadContext(in, Capabilities.defaults(), () -> {}), (c, offset) -> {
                    seen[n[0]++] = c;
                    commands.add(c.type() + "@" + offset);
                }, null);
        loader.load();
        assertThat(commands).containsExactly("OPEN_RETURN_PATH@8", "PING@13", "POSTCOPY_RUN@48");
        assertThat(seen[1]).isEqualTo(Command.ping(5));
        assertThat(seen[2]).isEqualTo(new Command(CommandType.POSTCOPY_RUN, new byte[0]));
    }

    @Test
    void routesPartAndEndToTheHandlerThatStartedTheSection() throws IOException {
        FakeHandler ram = new FakeHandler();
        registry.register("ram", 0, 4, HandlerRegistry.PRIORITY_DEFAULT, ram);
        byte[] stream = concat(HEADER,
                hex("01 00000009 03 72616d 00000000 00000004 | 00000001 | 7e 00000009"), // START ram as 9
                hex("01 00000003 03 646576 00000000 00000001 | 00000002 | 7e 00000003"), // START dev as 3
                hex("02 00000009 | 00000003 | 7e 00000009"),
                hex("02 00000003 | 00000004 | 7e 00000003"),
                hex("03 00000009 | 00000005 | 7e 00000009"),
                hex("03 00000003 | 00000006 | 7e 00000003"),
                EOF);
        StateLoader.Result r = loader(stream, null).load();
        assertThat(r.sections()).isEqualTo(6);
        assertThat(ram.calls).containsExactly("setup", "load v4 1", "load v4 3", "load v4 5", "cleanup");
        assertThat(dev.calls).containsExactly("setup", "load v1 2", "load v1 4", "load v1 6", "cleanup");
    }

    @Test
    void passesTheStreamsOlderVersionToEverySectionOfIt() throws IOException {
        FakeHandler ram = new FakeHandler();
        registry.register("ram", 0, 4, HandlerRegistry.PRIORITY_DEFAULT, ram);
        byte[] stream = concat(HEADER,
                hex("01 00000001 03 72616d 00000000 00000002 | 00000001 | 7e 00000001"),
                hex("03 00000001 | 00000002 | 7e 00000001"), EOF);
        loader(stream, null).load();
        assertThat(ram.calls).containsExactly("setup", "load v2 1", "load v2 2", "cleanup");
    }

    @Test
    void findsHandlersByInstanceId() throws IOException {
        FakeHandler second = new FakeHandler();
        registry.register("dev", 1, 1, HandlerRegistry.PRIORITY_DEFAULT, second);
        byte[] stream = concat(HEADER, hex("04 00000005 03 646576 00000001 00000001 | 0000000b | 7e 00000005"), EOF);
        loader(stream, null).load();
        assertThat(second.calls).contains("load v1 11");
        assertThat(dev.calls).containsExactly("setup", "cleanup");
    }
}

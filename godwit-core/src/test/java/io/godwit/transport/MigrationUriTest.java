package io.godwit.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationUriTest {

    @Test
    void parsesEachScheme() {
        MigrationUri tcp = MigrationUri.parse("tcp:127.0.0.1:4444");
        assertThat(tcp.scheme()).isEqualTo(MigrationUri.Scheme.TCP);
        assertThat(tcp.host()).isEqualTo("127.0.0.1");
        assertThat(tcp.port()).isEqualTo(4444);
        assertThat(MigrationUri.parse("tcp:[::1]:5").host()).isEqualTo("::1");
        assertThat(MigrationUri.parse("tcp:0:5").host()).as("QEMU's any address").isEqualTo("0.0.0.0");
        assertThat(MigrationUri.parse("unix:/tmp/m.sock").path()).isEqualTo(Path.of("/tmp/m.sock"));
        assertThat(MigrationUri.parse("file:/tmp/state").scheme()).isEqualTo(MigrationUri.Scheme.FILE);
        assertThat(MigrationUri.parse("exec:cat > /tmp/x").command()).isEqualTo("cat > /tmp/x");
    }

    @Test
    void refusesMalformedUrisSayingWhatIsExpected() {
        assertThatThrownBy(() -> MigrationUri.parse("localhost")).hasMessageContaining("expected tcp:HOST:PORT");
        assertThatThrownBy(() -> MigrationUri.parse("rdma:host:1")).hasMessageContaining("unsupported migration URI "
                + "scheme 'rdma'");
        assertThatThrownBy(() -> MigrationUri.parse("tcp:host")).hasMessageContaining("expected tcp:HOST:PORT");
        assertThatThrownBy(() -> MigrationUri.parse("tcp:host:http")).hasMessageContaining("port 'http'");
        assertThatThrownBy(() -> MigrationUri.parse("tcp:host:70000")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> MigrationUri.parse("unix:")).hasMessageContaining("path is empty");
        assertThatThrownBy(() -> MigrationUri.parse("exec: ")).hasMessageContaining("needs a command");
    }

    @Test
    void connectErrorsNameTheUriAndTheCause(@TempDir Path dir) {
        String uri = "unix:" + dir.resolve("nobody-listens");
        assertThatThrownBy(() -> Transports.connect(uri)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(uri + ": cannot connect: ");
        String file = "file:" + dir.resolve("missing/dir/state");
        assertThatThrownBy(() -> Transports.connect(file)).hasMessageStartingWith(file + ": cannot create ");
        assertThatThrownBy(() -> Transports.listen("file:" + dir.resolve("absent"))).hasMessageContaining("cannot open");
    }

    @Test
    void listeningOnPortZeroReportsTheChosenPort() throws IOException {
        try (Listener l = Transports.listen("tcp:127.0.0.1:0")) {
            MigrationUri bound = MigrationUri.parse(l.address());
            assertThat(bound.port()).isPositive();
            assertThat(bound.host()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void refusesToReplaceAFileThatIsNotASocket(@TempDir Path dir) throws IOException {
        Path plain = dir.resolve("plain");
        java.nio.file.Files.writeString(plain, "keep me");
        assertThatThrownBy(() -> Transports.listen("unix:" + plain)).hasMessageContaining("not a socket");
        assertThat(java.nio.file.Files.readString(plain)).isEqualTo("keep me");
    }
}

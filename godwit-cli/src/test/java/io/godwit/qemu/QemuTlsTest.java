package io.godwit.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.cli.Main;
import io.godwit.launch.GodwitProcess;
import io.godwit.transport.tls.DistinguishedNames;
import io.godwit.transport.tls.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Migration TLS between Godwit and QEMU 7.2 (GnuTLS), both ways, on the same credentials
 * directories: QEMU migrates a live guest to Godwit over TLS, and Godwit migrates it on to another
 * QEMU over TLS, where the guest keeps running. With x509 the last QEMU also checks Godwit's client
 * certificate against an authz-list naming it as Godwit formats distinguished names. Skipped,
 * with the reason, where QEMU or the guest's toolchain is missing.
 */
@Timeout(180)
class QemuTlsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration START = Duration.ofMinutes(1);
    private static final String CLIENT_DN =
            "C=GB,ST=London,L=London,O=Godwit Test,OU=Migration,CN=client.example.com,E=ops@example.com";

    @TempDir
    Path dir;

    @BeforeEach
    void qemuAndGuest() {
        HostTools.qemu();
        GuestKernel.path();
    }

    /** server/ and client/ with QEMU's file names, or keys.psk in both. */
    private void credentials(String kind) throws IOException {
        if (kind.equals("psk")) {
            byte[] key = new byte[32];
            new java.util.Random(42).nextBytes(key);
            TestPki.writePsk(dir.resolve("server"), "qemu", key);
            TestPki.writePsk(dir.resolve("client"), "qemu", key);
            return;
        }
        TestPki ca = TestPki.create("Godwit Interop CA", true);
        ca.writeServer(dir.resolve("server"), "localhost", List.of("localhost", "127.0.0.1"));
        ca.writeClient(dir.resolve("client"), CLIENT_DN);
    }

    private Map<String, Object> creds(String kind, String side) {
        return creds(kind, side, "tls0");
    }

    private Map<String, Object> creds(String kind, String side, String id) {
        return Map.of("qom-type", kind.equals("psk") ? "tls-creds-psk" : "tls-creds-x509", "id", id,
                "dir", dir.resolve(side).toString(), "endpoint", side);
    }

    private static JsonNode awaitGodwit(GodwitProcess g, String status) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode m = g.qmp().execute("query-migrate");
            String s = m.path("status").asText();
            if (s.equals(status)) {
                return m;
            }
            if (s.equals("failed") || System.nanoTime() > deadline) {
                throw new AssertionError(g.name() + ": no '" + status + "'; last " + m + "\n" + g.tail());
            }
            Thread.sleep(50);
        }
    }

    /** The clientDN as QEMU's authz objects see it, formatted by Godwit. */
    private String clientName() throws Exception {
        try (var in = Files.newInputStream(dir.resolve("client/client-cert.pem"))) {
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return DistinguishedNames.of(c.getSubjectX500Principal());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"x509", "psk"})
    void guestGoesFromQemuToGodwitAndOnToQemuOverTls(String kind) throws Exception {
        credentials(kind);
        try (QemuGuest first = QemuGuest.start(dir, "first");
                GodwitProcess godwit = Main.LAUNCHER.start(dir, "godwit", List.of("--incoming", "defer"), START);
                QemuGuest last = QemuGuest.startIncoming(dir, "last")) {
            godwit.qmp().execute("object-add", creds(kind, "server", "tls-in"));
            godwit.qmp().execute("object-add", creds(kind, "client", "tls-out"));
            godwit.qmp().execute("migrate-set-parameters", Map.of("tls-creds", "tls-in"));
            godwit.qmp().execute("migrate-incoming", Map.of("uri", "tcp:127.0.0.1:0"));

            first.execute("object-add", creds(kind, "client"));
            first.execute("migrate-set-parameters", Map.of("tls-creds", "tls0", "max-bandwidth", 8L << 30,
                    "downtime-limit", 5000));
            first.awaitCounterAbove(2, WAIT);
            first.migrate(godwit.incomingUri());
            try {
                first.awaitMigrationStatus("completed", WAIT);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nGodwit: " + godwit.tail(), e);
            }
            awaitGodwit(godwit, "completed");
            long counter = first.lastCounter();

            last.execute("object-add", creds(kind, "server"));
            if (kind.equals("x509")) {
                last.execute("object-add", Map.of("qom-type", "authz-list", "id", "auth0", "policy", "deny",
                        "rules", List.of(Map.of("match", clientName(), "policy", "allow", "format", "exact"))));
                last.execute("migrate-set-parameters", Map.of("tls-creds", "tls0", "tls-authz", "auth0"));
            } else {
                last.execute("migrate-set-parameters", Map.of("tls-creds", "tls0"));
            }
            int port = last.migrateIncomingTcp();
            godwit.qmp().execute("migrate-set-capabilities", Map.of("capabilities",
                    List.of(Map.of("capability", "return-path", "state", true))));
            godwit.qmp().execute("migrate-set-parameters", Map.of("tls-creds", "tls-out"));
            godwit.qmp().execute("migrate", Map.of("uri", "tcp:127.0.0.1:" + port));
            awaitGodwit(godwit, "completed");
            last.awaitMigrationStatus("completed", WAIT);

            assertThat(last.runState()).isEqualTo("running");
            last.awaitCounterAbove(counter + 3, WAIT);
            last.stop();
            Path dump = dir.resolve("last.mem");
            last.pmemsave(0, QemuGuest.RAM_SIZE, dump);
            GuestMemory.assertAbPattern(dump, last.lastCounter());
        }
    }

    @Test
    void qemuRefusesAGodwitClientItsAuthzListDoesNotNameAndNamesItAsGodwitDoes() throws Exception {
        credentials("x509");
        try (GodwitProcess godwit = Main.LAUNCHER.start(dir, "godwit", List.of("--ram", "16M"), START);
                QemuGuest qemu = QemuGuest.startIncoming(dir, "qemu")) {
            qemu.execute("object-add", creds("x509", "server"));
            qemu.execute("object-add", Map.of("qom-type", "authz-list", "id", "auth0", "policy", "deny"));
            qemu.execute("migrate-set-parameters", Map.of("tls-creds", "tls0", "tls-authz", "auth0"));
            int port = qemu.migrateIncomingTcp();
            godwit.qmp().execute("object-add", creds("x509", "client"));
            godwit.qmp().execute("migrate-set-capabilities", Map.of("capabilities",
                    List.of(Map.of("capability", "return-path", "state", true))));
            godwit.qmp().execute("migrate-set-parameters", Map.of("tls-creds", "tls0"));
            godwit.qmp().execute("migrate", Map.of("uri", "tcp:127.0.0.1:" + port));

            JsonNode failed = awaitGodwitEnd(godwit);
            assertThat(failed.path("status").asText()).isEqualTo("failed");
            // QEMU closes the session without an alert: Godwit can only say what that likely means
            assertThat(failed.path("error-desc").asText()).contains("may have refused this source's certificate")
                    .doesNotContain("\n");
            assertThat(godwit.qmp().execute("query-status").path("status").asText()).isEqualTo("running");
            String expected = "TLS x509 authz check for " + clientName() + " is denied";
            awaitLogLine(qemu.log(), expected);
        }
    }

    private static JsonNode awaitGodwitEnd(GodwitProcess g) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode m = g.qmp().execute("query-migrate");
            if (List.of("completed", "failed", "cancelled").contains(m.path("status").asText())
                    || System.nanoTime() > deadline) {
                return m;
            }
            Thread.sleep(50);
        }
    }

    private static void awaitLogLine(Path log, String line) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Files.readString(log).contains(line)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("QEMU's log has no '" + line + "':\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }
}

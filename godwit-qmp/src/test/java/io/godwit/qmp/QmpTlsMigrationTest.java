package io.godwit.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.transport.tls.TestPki;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migrations over TLS between two machines in this JVM over real loopback tcp, set up over QMP as
 * for QEMU: object-add of the credentials, migrate-set-parameters tls-creds, then migrate. Each
 * refusal leaves the source running and the destination ready for another migrate-incoming.
 */
@Timeout(180)
class QmpTlsMigrationTest {
    private static final String CLIENT_DN = "C=GB,O=Godwit Test,CN=client.example.com";
    /** GnuTLS names a certificate in the order it holds its attributes. */
    private static final String CLIENT_NAME = CLIENT_DN;

    @TempDir
    static Path pki;
    @TempDir
    Path dir;
    private ServedMachine src;
    private ServedMachine dst;
    private QmpClient s;
    private QmpClient d;

    @BeforeAll
    static void certificates() throws IOException {
        TestPki ca = TestPki.create("Godwit Test CA");
        ca.writeServer(pki.resolve("dst"), "server.example.com", List.of("server.example.com", "127.0.0.1"));
        ca.writeClient(pki.resolve("src"), CLIENT_DN);
        TestPki.create("Another CA").writeClient(pki.resolve("stranger"), CLIENT_DN);
        ca.writeCa(pki.resolve("stranger")); // trusts the destination; its own certificate is from elsewhere
        TestPki.writePsk(pki.resolve("psk"), "qemu", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        TestPki.writePsk(pki.resolve("psk-wrong"), "qemu", new byte[] {9, 9, 9, 9, 9, 9, 9, 9});
    }

    @BeforeEach
    void machines() throws IOException {
        src = ServedMachine.source(dir, "src", 32 << 20);
        dst = ServedMachine.destination(dir, "dst", 32 << 20);
        s = QmpClient.connect("unix:" + src.socket);
        d = QmpClient.connect("unix:" + dst.socket);
        s.execute("migrate-set-capabilities", Map.of("capabilities",
                List.of(Map.of("capability", "return-path", "state", true))));
        s.execute("migrate-set-parameters", Map.of("max-bandwidth", 0));
    }

    @AfterEach
    void close() throws IOException {
        s.close();
        d.close();
        src.close();
        dst.close();
    }

    private static void addCreds(QmpClient c, String type, String id, String credsDir, String endpoint)
            throws IOException {
        c.execute("object-add", Map.of("qom-type", type, "id", id, "dir", pki.resolve(credsDir).toString(),
                "endpoint", endpoint));
    }

    /** The destination listens with tls-creds {@code creds}; returns the URI to migrate to. */
    private String listen(String creds) throws IOException {
        d.execute("migrate-set-parameters", Map.of("tls-creds", creds));
        d.execute("migrate-incoming", Map.of("uri", "tcp:127.0.0.1:0"));
        JsonNode a = d.execute("query-migrate").path("socket-address").path(0);
        return "tcp:127.0.0.1:" + a.path("port").asText();
    }

    private static JsonNode finished(QmpClient c) throws Exception {
        while (true) {
            JsonNode m = c.execute("query-migrate");
            if (Set.of("completed", "failed", "cancelled").contains(m.path("status").asText())) {
                return m;
            }
            Thread.sleep(20);
        }
    }

    private void assertCompletedWithEqualDigests(String uri) throws Exception {
        s.execute("migrate", Map.of("uri", uri));
        JsonNode m = finished(s);
        assertThat(m.path("status").asText()).as(m.toString()).isEqualTo("completed");
        assertThat(finished(d).path("status").asText()).isEqualTo("completed");
        assertThat(d.execute("x-query-digest").path("digest").asText())
                .isEqualTo(s.execute("x-query-digest").path("digest").asText());
        assertThat(d.execute("x-check-ab").path("passed").asBoolean()).isTrue();
    }

    /** The source's migration fails with {@code sourceReason}, the destination with {@code destinationReason}. */
    private void assertRefused(String uri, String sourceReason, String destinationReason) throws Exception {
        s.execute("migrate", Map.of("uri", uri));
        JsonNode m = finished(s);
        assertThat(m.path("status").asText()).isEqualTo("failed");
        assertThat(m.path("error-desc").asText()).contains(sourceReason).doesNotContain("\n");
        assertThat(s.execute("query-status").path("status").asText()).isEqualTo("running");
        JsonNode refused = finished(d);
        assertThat(refused.path("status").asText()).isEqualTo("failed");
        assertThat(refused.path("error-desc").asText()).contains(destinationReason).doesNotContain("\n");
        assertThat(refused.has("socket-address")).as("the refused connection closed the listener").isFalse();
        assertThat(d.execute("query-status").path("status").asText()).isEqualTo("inmigrate");
    }

    @Test
    void migratesOverX509WithMutualVerification() throws Exception {
        addCreds(d, "tls-creds-x509", "tls0", "dst", "server");
        addCreds(s, "tls-creds-x509", "tls0", "src", "client");
        s.execute("migrate-set-parameters", Map.of("tls-creds", "tls0"));
        JsonNode p = s.execute("query-migrate-parameters");
        assertThat(p.path("tls-creds").asText()).isEqualTo("tls0");
        assertThat(p.path("tls-hostname").asText()).isEmpty();
        assertThat(p.path("tls-authz").asText()).isEmpty();
        assertCompletedWithEqualDigests(listen("tls0"));
    }

    @Test
    void migratesOverX509WithoutAReturnPath() throws Exception {
        s.execute("migrate-set-capabilities", Map.of("capabilities",
                List.of(Map.of("capability", "return-path", "state", false))));
        addCreds(d, "tls-creds-x509", "tls0", "dst", "server");
        addCreds(s, "tls-creds-x509", "tls0", "src", "client");
        s.execute("migrate-set-parameters", Map.of("tls-creds", "tls0"));
        assertCompletedWithEqualDigests(listen("tls0"));
    }

    @Test
    void migratesOverPsk() throws Exception {
        addCreds(d, "tls-creds-psk", "psk0", "psk", "server");
        addCreds(s, "tls-creds-psk", "psk0", "psk", "client");
        s.execute("migrate-set-parameters", Map.of("tls-creds", "psk0"));
        assertCompletedWithEqualDigests(listen("psk0"));
    }

    @Test
    void destinationRefusesAClientCertificateFromAnotherCaThenTakesTheRightOne() throws Exception {
        addCreds(d, "tls-creds-x509", "tls0", "dst", "server");
        assertThatThrownBy(() -> addCreds(s, "tls-creds-x509", "stranger", "stranger", "client"))
                .hasMessageContaining("failed validation against"); // QEMU's load-time check catches it first
        s.execute("object-add", Map.of("qom-type", "tls-creds-x509", "id", "stranger", "dir",
                pki.resolve("stranger").toString(), "endpoint", "client", "sanity-check", false));
        addCreds(s, "tls-creds-x509", "tls0", "src", "client");
        s.execute("migrate-set-parameters", Map.of("tls-creds", "stranger"));
        assertRefused(listen("tls0"), "refused this source's certificate", "The certificate hasn't got a known issuer");

        s.execute("migrate-set-parameters", Map.of("tls-creds", "tls0"));
        assertCompletedWithEqualDigests(listen("tls0"));
    }

    @Test
    void sourceRefusesADestinationThatIsNotTheHostItNamesThenMigrates() throws Exception {
        addCreds(d, "tls-creds-x509", "tls0", "dst", "server");
        addCreds(s, "tls-creds-x509", "tls0", "src", "client");
        s.execute("migrate-set-parameters", Map.of("tls-creds", "tls0", "tls-hostname", "other.example.com"));
        assertRefused(listen("tls0"), "Certificate does not match the hostname other.example.com",
                "refused this destination's certificate");

        s.execute("migrate-set-parameters", Map.of("tls-hostname", "server.example.com"));
        assertCompletedWithEqualDigests(listen("tls0"));
    }

    @Test
    void destinationRefusesACertificateNameItsAuthzListDoesNotAllowThenAllowsIt() throws Exception {
        addCreds(d, "tls-creds-x509", "tls0", "dst", "server");
        addCreds(s, "tls-creds-x509", "tls0", "src", "client");
        d.execute("object-add", Map.of("qom-type", "authz-list", "id", "auth0", "policy", "deny", "rules",
                List.of(Map.of("match", "*,CN=*.trusted.example.com", "policy", "allow", "format", "glob"))));
        d.execute("migrate-set-parameters", Map.of("tls-authz", "auth0"));
        s.execute("migrate-set-parameters", Map.of("tls-creds", "tls0"));
        assertRefused(listen("tls0"), "refused this source's certificate",
                "TLS x509 authz check for " + CLIENT_NAME + " is denied");

        d.execute("object-del", Map.of("id", "auth0"));
        d.execute("object-add", Map.of("qom-type", "authz-list", "id", "auth0", "rules",
                List.of(Map.of("match", CLIENT_NAME, "policy", "allow"))));
        assertCompletedWithEqualDigests(listen("tls0"));
    }

    @Test
    void destinationRefusesAWrongPreSharedKeyThenTakesTheRightOne() throws Exception {
        addCreds(d, "tls-creds-psk", "psk0", "psk", "server");
        addCreds(s, "tls-creds-psk", "wrong", "psk-wrong", "client");
        addCreds(s, "tls-creds-psk", "psk0", "psk", "client");
        s.execute("migrate-set-parameters", Map.of("tls-creds", "wrong"));
        assertRefused(listen("psk0"), "refused this source's pre-shared key",
                "the source's pre-shared key for qemu does not match");

        s.execute("migrate-set-parameters", Map.of("tls-creds", "psk0"));
        assertCompletedWithEqualDigests(listen("psk0"));
    }

    @Test
    void objectsAndParametersAreCheckedAsQemuChecksThem() throws Exception {
        assertThatThrownBy(() -> addCreds(d, "tls-creds-x509", "tls0", "nowhere", "server"))
                .hasMessageContaining("Unable to access credentials").hasMessageContaining("ca-cert.pem");
        assertThatThrownBy(() -> d.execute("object-add", Map.of("qom-type", "tls-creds-x509", "id", "x")))
                .hasMessage("Missing 'dir' property value");
        assertThatThrownBy(() -> d.execute("object-add", Map.of("qom-type", "tls-creds-foo", "id", "x")))
                .hasMessage("Parameter 'qom-type' does not accept value 'tls-creds-foo'");
        assertThatThrownBy(() -> addCreds(s, "tls-creds-psk", "p", "psk", "sideways"))
                .hasMessage("Parameter 'endpoint' does not accept value 'sideways'");
        Map<String, Object> withUser = new HashMap<>(Map.of("qom-type", "tls-creds-psk", "id", "p", "dir",
                pki.resolve("psk").toString(), "endpoint", "client", "username", "nobody"));
        assertThatThrownBy(() -> s.execute("object-add", withUser))
                .hasMessageContaining("Username nobody not found in PSK file");
        addCreds(d, "tls-creds-x509", "tls0", "dst", "server");
        assertThatThrownBy(() -> addCreds(d, "tls-creds-x509", "tls0", "dst", "server"))
                .hasMessage("attempt to add duplicate property 'tls0' to object (type 'container')");
        assertThatThrownBy(() -> d.execute("object-del", Map.of("id", "nothing")))
                .hasMessage("object 'nothing' not found");

        d.execute("migrate-set-parameters", Map.of("tls-creds", "missing"));
        assertThatThrownBy(() -> d.execute("migrate-incoming", Map.of("uri", "tcp:127.0.0.1:0")))
                .hasMessage("No TLS credentials with id 'missing'");
        addCreds(d, "tls-creds-x509", "client-side", "src", "client");
        d.execute("migrate-set-parameters", Map.of("tls-creds", "client-side"));
        assertThatThrownBy(() -> d.execute("migrate-incoming", Map.of("uri", "tcp:127.0.0.1:0")))
                .hasMessage("Expected TLS credentials for a server endpoint");

        s.execute("migrate-set-parameters", Map.of("tls-creds", "none-such"));
        s.execute("migrate", Map.of("uri", "tcp:127.0.0.1:1"));
        assertThat(finished(s).path("error-desc").asText()).isEqualTo("No TLS credentials with id 'none-such'");
        Map<String, Object> reset = new HashMap<>();
        reset.put("tls-creds", null);
        s.execute("migrate-set-parameters", reset);
        assertThat(s.execute("query-migrate-parameters").path("tls-creds").asText()).isEmpty();
        assertThatThrownBy(() -> s.execute("migrate-set-parameters", Map.of("tls-creds", 5)))
                .hasMessage("Invalid parameter type for 'tls-creds', expected: string");
    }
}

package io.godwit.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pieces QEMU defines by behaviour: authz matching, keys.psk, names, host checks, file checks. */
class TlsObjectsTest {
    @TempDir
    Path dir;

    @Test
    void authzListTakesTheFirstMatchingRuleElseItsPolicy() {
        AuthzList l = new AuthzList("a", AuthzList.Policy.DENY, List.of(
                new AuthzList.Rule("C=GB,O=Example,CN=bad.example.com", AuthzList.Policy.DENY, AuthzList.Format.EXACT),
                new AuthzList.Rule("C=GB,O=Example,CN=*.example.com", AuthzList.Policy.ALLOW, AuthzList.Format.GLOB)));
        assertThat(l.allows("C=GB,O=Example,CN=good.example.com")).isTrue();
        assertThat(l.allows("C=GB,O=Example,CN=bad.example.com")).isFalse();
        assertThat(l.allows("C=FR,O=Example,CN=good.example.com")).isFalse();
        assertThat(new AuthzList("b", AuthzList.Policy.ALLOW, List.of()).allows("anyone")).isTrue();
    }

    @Test
    void globMatchesStarsAndQuestionMarksLikeGlib() {
        assertThat(AuthzList.glob("*", "")).isTrue();
        assertThat(AuthzList.glob("a*b*c", "axxbyyc")).isTrue();
        assertThat(AuthzList.glob("a*b*c", "axxbyy")).isFalse();
        assertThat(AuthzList.glob("?b", "ab")).isTrue();
        assertThat(AuthzList.glob("?b", "b")).isFalse();
        assertThat(AuthzList.glob("*.example.com", "x.example.org")).isFalse();
        assertThat(AuthzList.glob("a\\*", "a\\bc")).as("no escapes, as g_pattern_match_simple").isTrue();
        assertThat(AuthzList.glob("*a*a*a*a*a*b", "a".repeat(5000))).isFalse(); // backtracking stays linear-ish
    }

    @Test
    void distinguishedNamesComeInCertificateOrderWithGnutlsNames() {
        X500Principal p = new X500Principal("EMAILADDRESS=ops@example.com, CN=client.example.com, OU=Mig\\, ration, O=Example, C=GB");
        // X500Principal lists the last attribute first, so this certificate holds C first
        assertThat(DistinguishedNames.of(p)).isEqualTo("C=GB,O=Example,OU=Mig\\, ration,CN=client.example.com,"
                + "EMAIL=ops@example.com");
        assertThat(DistinguishedNames.split("A=1\\,2,B=3\\\\,C=4")).containsExactly("A=1\\,2", "B=3\\\\", "C=4");
    }

    @Test
    void hostnamesMatchAsGnutlsMatchesThem() {
        assertThat(HostnameCheck.dnsMatches("*.example.com", "a.example.com")).isTrue();
        assertThat(HostnameCheck.dnsMatches("*.example.com", "a.b.example.com")).isFalse();
        assertThat(HostnameCheck.dnsMatches("*.com", "example.com")).isFalse();
        assertThat(HostnameCheck.dnsMatches("Server.Example.COM.", "server.example.com")).isTrue();
        assertThat(HostnameCheck.literal("127.0.0.1")).isNotNull();
        assertThat(HostnameCheck.literal("[::1]")).isNotNull();
        assertThat(HostnameCheck.literal("server.example.com")).isNull();
    }

    @Test
    void keysPskGivesAClientItsUserAndAServerEveryUser() throws IOException {
        Files.writeString(dir.resolve("keys.psk"), "qemu:0102\nother:a0b0c0\n\n");
        assertThat(PskCreds.load("c", dir, TlsEndpoint.CLIENT, null).key("qemu")).containsExactly(1, 2);
        assertThat(PskCreds.load("c", dir, TlsEndpoint.CLIENT, "other").key("other")).containsExactly(0xa0, 0xb0, 0xc0);
        PskCreds server = PskCreds.load("s", dir, TlsEndpoint.SERVER, null);
        assertThat(server.keys()).containsOnlyKeys("qemu", "other");
        assertThat(server.toString()).doesNotContain("0102");
        assertThatThrownBy(() -> PskCreds.load("c", dir, TlsEndpoint.CLIENT, "nobody"))
                .hasMessage("Username nobody not found in PSK file " + dir.resolve("keys.psk"));
        assertThatThrownBy(() -> PskCreds.load("s", dir, TlsEndpoint.SERVER, "qemu"))
                .hasMessage("username should not be set when endpoint=server");
    }

    @Test
    void refusesMalformedKeysPsk() throws IOException {
        for (String bad : List.of("qemu:01020", "qemu:zz", "qemu", ":0102", "qemu:")) {
            Files.writeString(dir.resolve("keys.psk"), bad + "\n");
            assertThatThrownBy(() -> PskCreds.load("c", dir, TlsEndpoint.CLIENT, null)).as(bad)
                    .hasMessageContaining("keys.psk line 1");
        }
        Files.write(dir.resolve("keys.psk"), new byte[(int) Pem.MAX_FILE + 1]);
        assertThatThrownBy(() -> PskCreds.load("c", dir, TlsEndpoint.CLIENT, null)).hasMessageContaining("at most");
    }

    @Test
    void x509CredsNeedTheirFilesAndAKeyThatFitsTheCertificate() throws IOException {
        TestPki ca = TestPki.create("CA", true);
        ca.writeServer(dir.resolve("a"), "a.example.com", List.of("a.example.com"));
        ca.writeServer(dir.resolve("b"), "b.example.com", List.of("b.example.com"));
        X509Creds ok = X509Creds.load("x", dir.resolve("a"), TlsEndpoint.SERVER, true, true);
        assertThat(ok.chain()).hasSize(1);
        assertThat(X509Creds.load("x", dir.resolve("a"), TlsEndpoint.CLIENT, true, true).chain())
                .as("a client may go without a certificate of its own").isEmpty();
        Files.copy(dir.resolve("b/server-key.pem"), dir.resolve("a/server-key.pem"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> X509Creds.load("x", dir.resolve("a"), TlsEndpoint.SERVER, true, true))
                .hasMessageContaining("the key does not belong to the certificate");
        Files.delete(dir.resolve("a/ca-cert.pem"));
        assertThatThrownBy(() -> X509Creds.load("x", dir.resolve("a"), TlsEndpoint.SERVER, true, true))
                .hasMessage("Unable to access credentials " + dir.resolve("a/ca-cert.pem") + ": No such file or directory");
    }

    @Test
    void readsPkcs1RsaKeysAsOlderCerttoolWritesThem() throws Exception {
        TestPki ca = TestPki.create("CA", true);
        Path d = dir.resolve("pkcs1");
        ca.writeServer(d, "s.example.com", List.of("s.example.com"));
        var key = (java.security.interfaces.RSAPrivateCrtKey) Pem.privateKey(d.resolve("server-key.pem"));
        // PKCS#8 PrivateKeyInfo = SEQUENCE { version, algorithm, OCTET STRING { RSAPrivateKey } }: take the inner key
        var info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(key.getEncoded());
        byte[] pkcs1 = info.parsePrivateKey().toASN1Primitive().getEncoded();
        Files.writeString(d.resolve("server-key.pem"), TestPki.pem("RSA PRIVATE KEY", pkcs1));
        assertThat(X509Creds.load("x", d, TlsEndpoint.SERVER, true, true).key()).isEqualTo(key);
    }
}

package io.godwit.bench;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Throw-away credentials for the TLS benchmark, with QEMU's file names: a CA, a server certificate
 * for localhost and a client certificate (EC P-256, one day), and keys.psk with a random key, all
 * in one directory both processes read.
 */
public final class BenchCredentials {
    public static final String HOST = "localhost";

    private BenchCredentials() {}

    public static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        KeyPair ca = keys();
        X500Name caName = new X500Name("O=Godwit Bench,CN=Godwit Bench CA");
        X509Certificate caCert = sign(caName, caName, ca, ca, true);
        KeyPair server = keys();
        KeyPair client = keys();
        write(dir.resolve("ca-cert.pem"), "CERTIFICATE", encoded(caCert));
        write(dir.resolve("server-cert.pem"), "CERTIFICATE",
                encoded(sign(new X500Name("O=Godwit Bench,CN=" + HOST), caName, server, ca, false)));
        write(dir.resolve("server-key.pem"), "PRIVATE KEY", server.getPrivate().getEncoded());
        write(dir.resolve("client-cert.pem"), "CERTIFICATE",
                encoded(sign(new X500Name("O=Godwit Bench,CN=client"), caName, client, ca, false)));
        write(dir.resolve("client-key.pem"), "PRIVATE KEY", client.getPrivate().getEncoded());
        byte[] psk = new byte[32];
        new SecureRandom().nextBytes(psk);
        Files.writeString(dir.resolve("keys.psk"), "qemu:" + HexFormat.of().formatHex(psk) + "\n");
    }

    private static X509Certificate sign(X500Name subject, X500Name issuer, KeyPair keys, KeyPair issuerKeys, boolean ca) {
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(now.toEpochMilli()
                    + (ca ? 0 : System.nanoTime() & 0xffff)), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign
                    : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            if (!ca) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.dNSName, HOST)));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (IOException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the benchmark's certificates: " + e.getMessage(), e);
        }
    }

    private static KeyPair keys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(256);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(Path file, String label, byte[] der) throws IOException {
        Files.writeString(file, "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + label + "-----\n");
    }
}

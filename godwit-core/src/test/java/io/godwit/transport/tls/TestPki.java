package io.godwit.transport.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority for tests (BouncyCastle): writes credentials directories with QEMU's
 * file names, so Godwit and QEMU read the same files. Keys are EC P-256 (fast to make) unless
 * RSA is asked for; certificates carry the extensions QEMU's sanity check looks at.
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime() & 0xffffffffL);
    private final KeyPair caKeys;
    private final X509Certificate caCert;
    private final boolean rsa;

    private TestPki(KeyPair caKeys, X509Certificate caCert, boolean rsa) {
        this.caKeys = caKeys;
        this.caCert = caCert;
        this.rsa = rsa;
    }

    /** A new CA named {@code CN=<name>,O=Godwit Test} with EC keys. */
    public static TestPki create(String name) {
        return create(name, false);
    }

    public static TestPki create(String name, boolean rsa) {
        KeyPair keys = keys(rsa);
        X500Name subject = new X500Name("O=Godwit Test,CN=" + name);
        X509Certificate cert = sign(subject, subject, keys, keys, rsa, b -> {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        });
        return new TestPki(keys, cert, rsa);
    }

    public X509Certificate caCert() {
        return caCert;
    }

    /** ca-cert.pem, server-cert.pem (with DNS and IP alternative names), server-key.pem. */
    public void writeServer(Path dir, String commonName, List<String> altNames) throws IOException {
        write(dir, "server", "C=GB,O=Godwit Test,CN=" + commonName, altNames, KeyPurposeId.id_kp_serverAuth);
    }

    /** ca-cert.pem, client-cert.pem with subject {@code dn} (X.500 order, most general first), client-key.pem. */
    public void writeClient(Path dir, String dn) throws IOException {
        write(dir, "client", dn, List.of(), KeyPurposeId.id_kp_clientAuth);
    }

    private void write(Path dir, String who, String dn, List<String> altNames, KeyPurposeId purpose)
            throws IOException {
        Files.createDirectories(dir);
        KeyPair keys = keys(rsa);
        X509Certificate cert = sign(new X500Name(dn), X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded()),
                keys, caKeys, rsa, b -> {
                    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                    b.addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
                    if (!altNames.isEmpty()) {
                        List<GeneralName> names = new ArrayList<>();
                        for (String n : altNames) {
                            boolean ip = n.matches("[0-9.]+") || n.contains(":");
                            names.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, n));
                        }
                        b.addExtension(Extension.subjectAlternativeName, false,
                                new GeneralNames(names.toArray(GeneralName[]::new)));
                    }
                });
        Files.writeString(dir.resolve("ca-cert.pem"), pem("CERTIFICATE", encoded(caCert)));
        Files.writeString(dir.resolve(who + "-cert.pem"), pem("CERTIFICATE", encoded(cert)));
        Files.writeString(dir.resolve(who + "-key.pem"), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    }

    /** Only ca-cert.pem: this CA is the one {@code dir}'s owner trusts. */
    public void writeCa(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("ca-cert.pem"), pem("CERTIFICATE", encoded(caCert)));
    }

    /** keys.psk with one line {@code user:hex(key)}. */
    public static void writePsk(Path dir, String user, byte[] key) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("keys.psk"), user + ":" + HexFormat.of().formatHex(key) + "\n");
    }

    private interface Extensions {
        void add(X509v3CertificateBuilder b) throws IOException;
    }

    private static X509Certificate sign(X500Name subject, X500Name issuer, KeyPair subjectKeys, KeyPair issuerKeys,
            boolean rsa, Extensions ext) {
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(30))), subject, subjectKeys.getPublic());
            ext.add(b);
            var signer = new JcaContentSignerBuilder(rsa ? "SHA256withRSA" : "SHA256withECDSA")
                    .build(issuerKeys.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (IOException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a test certificate: " + e.getMessage(), e);
        }
    }

    private static KeyPair keys(boolean rsa) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(rsa ? "RSA" : "EC");
            g.initialize(rsa ? 2048 : 256);
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

    static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }
}

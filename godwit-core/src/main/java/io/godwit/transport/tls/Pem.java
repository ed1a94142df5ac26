package io.godwit.transport.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads the PEM files of a credentials directory: certificates, and unencrypted private keys in
 * PKCS#8 ("PRIVATE KEY", what openssl and certtool write by default today) or PKCS#1 ("RSA PRIVATE
 * KEY", older certtool and openssl). Files are small; anything over {@link #MAX_FILE} is refused.
 */
final class Pem {
    static final long MAX_FILE = 1 << 20;
    /** QEMU reads at most 16 CA certificates from ca-cert.pem. */
    static final int MAX_CERTS = 16;

    private Pem() {}

    static String read(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IOException("Unable to access credentials " + file + ": " + (Files.exists(file)
                    ? "Permission denied" : "No such file or directory"));
        }
        long size = Files.size(file);
        if (size > MAX_FILE) {
            throw new IOException(file + ": " + size + " bytes; a credentials file is at most " + MAX_FILE);
        }
        return Files.readString(file, StandardCharsets.US_ASCII);
    }

    static List<X509Certificate> certificates(Path file) throws IOException {
        String text = read(file);
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (var c : cf.generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException("Unable to import certificate " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IOException("Unable to import certificate " + file + ": no PEM certificate in it");
        }
        if (out.size() > MAX_CERTS) {
            throw new IOException(file + " holds " + out.size() + " certificates; at most " + MAX_CERTS);
        }
        return out;
    }

    static PrivateKey privateKey(Path file) throws IOException {
        String text = read(file);
        byte[] der;
        if (text.contains("-----BEGIN PRIVATE KEY-----")) {
            der = body(text, "PRIVATE KEY");
        } else if (text.contains("-----BEGIN RSA PRIVATE KEY-----")) {
            der = Der.pkcs8OfRsa(body(text, "RSA PRIVATE KEY"));
        } else if (text.contains("ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED")) {
            throw new IOException(file + ": the key is encrypted; Godwit reads unencrypted keys only"
                    + " (openssl pkcs8 -topk8 -nocrypt -in KEY -out " + file.getFileName() + ")");
        } else {
            throw new IOException(file + ": expected a PEM 'PRIVATE KEY' (PKCS#8) or 'RSA PRIVATE KEY'; convert with"
                    + " openssl pkcs8 -topk8 -nocrypt");
        }
        for (String alg : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException(file + ": not an RSA, EC or EdDSA private key this JDK can read");
    }

    private static byte[] body(String text, String label) throws IOException {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end, b);
        if (b < 0 || e < 0) {
            throw new IOException("malformed PEM: no '" + end + "' after '" + begin + "'");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new IOException("malformed PEM " + label + ": " + ex.getMessage(), ex);
        }
    }
}

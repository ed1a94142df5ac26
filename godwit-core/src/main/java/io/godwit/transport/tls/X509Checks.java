package io.godwit.transport.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CRL;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** The load-time checks of QEMU's tls-creds-x509 (sanity-check), with its messages. */
final class X509Checks {
    private X509Checks() {}

    static void sanity(List<X509Certificate> ca, Path caFile, X509Certificate own, Path ownFile, boolean server)
            throws IOException {
        String who = server ? "server" : "client";
        for (X509Certificate c : ca) {
            times(c, "The CA certificate " + caFile);
            if (c.getBasicConstraints() < 0) {
                throw new IOException("The certificate " + caFile + " basic constraints do not show a CA");
            }
        }
        if (own == null) {
            return;
        }
        times(own, "The " + who + " certificate " + ownFile);
        if (own.getBasicConstraints() >= 0) {
            throw new IOException("The certificate " + ownFile + " basic constraints show a CA, but we need one for a "
                    + who);
        }
        if (issuer(own, ca) == null) {
            throw new IOException("Our own certificate " + ownFile + " failed validation against " + caFile
                    + ": The certificate hasn't got a known issuer");
        }
    }

    /** The certificate in {@code ca} that signed {@code c}, or null. */
    static X509Certificate issuer(X509Certificate c, List<X509Certificate> ca) {
        for (X509Certificate a : ca) {
            if (!a.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
                continue;
            }
            try {
                c.verify(a.getPublicKey());
                return a;
            } catch (GeneralSecurityException e) {
                // same name, other key: keep looking
            }
        }
        return null;
    }

    private static void times(X509Certificate c, String what) throws IOException {
        try {
            c.checkValidity();
        } catch (CertificateExpiredException e) {
            throw new IOException(what + " has expired");
        } catch (CertificateNotYetValidException e) {
            throw new IOException(what + " is not yet active");
        }
    }

    /** Signs a few bytes with the key and checks them with the certificate: the pair belongs together. */
    static void keyMatches(X509Certificate cert, PrivateKey key, Path certFile, Path keyFile) throws IOException {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm(); // Ed25519, Ed448, EdDSA
        };
        byte[] probe = "godwit key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature s = Signature.getInstance(alg);
            if (alg.equals("RSASSA-PSS")) {
                s.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            s.initVerify(cert.getPublicKey());
            s.update(probe);
            if (s.verify(sig)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot load certificate '" + certFile + "' & key '" + keyFile + "': " + e.getMessage(),
                    e);
        }
        throw new IOException("Cannot load certificate '" + certFile + "' & key '" + keyFile
                + "': the key does not belong to the certificate");
    }

    static List<X509CRL> crls(Path file) throws IOException {
        String text = Pem.read(file);
        List<X509CRL> out = new ArrayList<>();
        try {
            for (CRL c : CertificateFactory.getInstance("X.509")
                    .generateCRLs(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509CRL) c);
            }
        } catch (CertificateException | java.security.cert.CRLException | RuntimeException e) {
            throw new IOException("Cannot load CRL '" + file + "': " + e.getMessage(), e);
        }
        return out;
    }
}

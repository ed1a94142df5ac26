package io.godwit.transport.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * tls-creds-x509 (QEMU crypto/tlscredsx509.c), read from {@code dir} with QEMU's file names:
 * {@value #CA_CERT} (required), {@value #CA_CRL} (optional), and {@value #SERVER_CERT} with
 * {@value #SERVER_KEY} for a server, or {@value #CLIENT_CERT} with {@value #CLIENT_KEY} for a client
 * (optional there: a client without them presents no certificate).
 *
 * @param chain our certificate (first) and any intermediates; empty for a client without one
 * @param key the private key of {@code chain.get(0)}, or null
 */
public record X509Creds(String id, Path dir, TlsEndpoint endpoint, boolean verifyPeer, List<X509Certificate> caCerts,
        List<X509CRL> crls, List<X509Certificate> chain, PrivateKey key) implements TlsCreds {
    public static final String CA_CERT = "ca-cert.pem";
    public static final String CA_CRL = "ca-crl.pem";
    public static final String SERVER_CERT = "server-cert.pem";
    public static final String SERVER_KEY = "server-key.pem";
    public static final String CLIENT_CERT = "client-cert.pem";
    public static final String CLIENT_KEY = "client-key.pem";

    public X509Creds {
        caCerts = List.copyOf(caCerts);
        crls = List.copyOf(crls);
        chain = List.copyOf(chain);
    }

    /**
     * Reads the files for {@code endpoint} from {@code dir}. With {@code sanityCheck} (QEMU's
     * default) our certificate and the CA certificates are checked as QEMU checks them: in their
     * validity period, CA flags where they belong, ours signed by the CA, and the key ours.
     */
    public static X509Creds load(String id, Path dir, TlsEndpoint endpoint, boolean verifyPeer, boolean sanityCheck)
            throws IOException {
        boolean server = endpoint == TlsEndpoint.SERVER;
        List<X509Certificate> ca = Pem.certificates(dir.resolve(CA_CERT));
        Path crlFile = dir.resolve(CA_CRL);
        List<X509CRL> crls = Files.exists(crlFile) ? X509Checks.crls(crlFile) : List.of();
        Path certFile = dir.resolve(server ? SERVER_CERT : CLIENT_CERT);
        Path keyFile = dir.resolve(server ? SERVER_KEY : CLIENT_KEY);
        List<X509Certificate> chain = List.of();
        PrivateKey key = null;
        if (server || Files.exists(certFile) || Files.exists(keyFile)) {
            chain = Pem.certificates(certFile);
            key = Pem.privateKey(keyFile);
            X509Checks.keyMatches(chain.get(0), key, certFile, keyFile);
        }
        if (sanityCheck) {
            X509Checks.sanity(ca, dir.resolve(CA_CERT), chain.isEmpty() ? null : chain.get(0), certFile, server);
        }
        return new X509Creds(id, dir, endpoint, verifyPeer, ca, crls, chain, key);
    }

    @Override
    public String type() {
        return "tls-creds-x509";
    }
}

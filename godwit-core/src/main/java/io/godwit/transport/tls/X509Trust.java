package io.godwit.transport.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Checks the peer's certificate as QEMU's qcrypto_tls_session_check_certificate does, with its
 * messages: the chain against ca-cert.pem (PKIX) and ca-crl.pem, then on a client the host name,
 * on a server the authz object with the certificate's distinguished name. With verify-peer off,
 * nothing is checked (QEMU skips the whole check).
 */
final class X509Trust extends X509ExtendedTrustManager {
    private final X509Creds creds;
    private final X509TrustManager pkix;
    private final String hostname;
    private final Authz authz;
    private volatile String peerName;

    X509Trust(X509Creds creds, String hostname, Authz authz) throws GeneralSecurityException, java.io.IOException {
        this.creds = creds;
        this.hostname = hostname;
        this.authz = authz;
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        int i = 0;
        for (X509Certificate ca : creds.caCerts()) {
            ks.setCertificateEntry("ca" + i++, ca);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        this.pkix = (X509TrustManager) tmf.getTrustManagers()[0];
    }

    /** The distinguished name of the peer's certificate once checked, or null. */
    String peerName() {
        return peerName;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        if (!creds.verifyPeer()) {
            return;
        }
        String dn = check(chain, () -> pkix.checkClientTrusted(chain, authType));
        if (authz != null && !authz.allows(dn)) {
            throw new CertificateException("TLS x509 authz check for " + dn + " is denied");
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        if (!creds.verifyPeer()) {
            return;
        }
        check(chain, () -> pkix.checkServerTrusted(chain, authType));
        if (hostname == null) {
            throw new CertificateException("No hostname for certificate validation");
        }
        if (!HostnameCheck.matches(chain[0], hostname)) {
            throw new CertificateException("Certificate does not match the hostname " + hostname);
        }
    }

    private interface Check {
        void run() throws CertificateException;
    }

    /** The chain, the revocation lists; returns the peer's distinguished name. */
    private String check(X509Certificate[] chain, Check pkixCheck) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("No certificate peers");
        }
        String dn = DistinguishedNames.of(chain[0].getSubjectX500Principal());
        peerName = dn;
        try {
            pkixCheck.run();
        } catch (CertificateException e) {
            throw new CertificateException(reason(e) + " (" + dn + ")", e);
        }
        for (X509CRL crl : creds.crls()) {
            for (X509Certificate c : chain) {
                if (crl.getIssuerX500Principal().equals(c.getIssuerX500Principal()) && crl.isRevoked(c)) {
                    throw new CertificateException("The certificate has been revoked (" + dn + ")");
                }
            }
        }
        return dn;
    }

    /** GnuTLS's words for why a chain failed, from the PKIX failure. */
    private static String reason(CertificateException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertPathValidatorException v) {
                switch (v.getReason()) {
                    case CertPathValidatorException.BasicReason.EXPIRED:
                        return "The certificate has expired";
                    case CertPathValidatorException.BasicReason.NOT_YET_VALID:
                        return "The certificate is not yet activated";
                    case CertPathValidatorException.BasicReason.REVOKED:
                        return "The certificate has been revoked";
                    case CertPathValidatorException.BasicReason.ALGORITHM_CONSTRAINED:
                        return "The certificate uses an insecure algorithm";
                    default:
                        break;
                }
            }
            if (t instanceof java.security.cert.CertPathBuilderException) {
                return "The certificate hasn't got a known issuer";
            }
        }
        return "The certificate is not trusted: " + e.getMessage();
    }

    /**
     * None: the JDK would name ca-cert.pem's CAs in its certificate request (the TLS 1.3
     * certificate_authorities extension), and GnuTLS 3.7 (QEMU 7.2) then sends no client
     * certificate at all. Without names every client presents its certificate and is judged on it.
     */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    // The JDK calls the SSLEngine variants; these complete the interface.
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkClientTrusted(chain, authType, (SSLEngine) null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(chain, authType, (SSLEngine) null);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkClientTrusted(chain, authType, (SSLEngine) null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkServerTrusted(chain, authType, (SSLEngine) null);
    }
}

package io.godwit.transport.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the one certificate of the credentials directory whenever its key type fits, whatever
 * issuers the peer asks for: a peer that does not trust our CA then says so, instead of the
 * session failing for a certificate never sent.
 */
final class X509Key extends X509ExtendedKeyManager {
    private static final String ALIAS = "own";
    private final X509Creds creds;

    X509Key(X509Creds creds) {
        this.creds = creds;
    }

    private boolean fits(String keyType) {
        if (creds.key() == null) {
            return false;
        }
        String alg = creds.key().getAlgorithm();
        return keyType.equals(alg) || keyType.equals("RSASSA-PSS") && alg.equals("RSA")
                || keyType.equals("EdDSA") && alg.startsWith("Ed");
    }

    private String choose(String... keyTypes) {
        for (String k : keyTypes) {
            if (fits(k)) {
                return ALIAS;
            }
        }
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return choose(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return choose(keyType);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return choose(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return choose(keyType);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return fits(keyType) ? new String[] {ALIAS} : null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return getClientAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) && !creds.chain().isEmpty() ? creds.chain().toArray(X509Certificate[]::new) : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? creds.key() : null;
    }
}

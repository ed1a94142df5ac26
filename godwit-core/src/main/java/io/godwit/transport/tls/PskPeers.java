package io.godwit.transport.tls;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.PSKTlsClient;
import org.bouncycastle.tls.PSKTlsServer;
import org.bouncycastle.tls.TlsPSKIdentityManager;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

/**
 * BouncyCastle's PSK peers with the cipher suites GnuTLS offers for QEMU's PSK credentials
 * ("+ECDHE-PSK:+DHE-PSK:+PSK", TLS 1.2): ephemeral key exchange first, AEAD first, and
 * ChaCha20-Poly1305 before AES-GCM, which ran several times slower through BouncyCastle's TLS
 * records on a loopback session here. The crypto is the JDK's (JCA).
 */
final class PskPeers {
    static final int[] SUITES = {
        CipherSuite.TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_DHE_PSK_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_DHE_PSK_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_DHE_PSK_WITH_AES_128_CBC_SHA256,
    };

    private PskPeers() {}

    static TlsCrypto crypto() {
        return new JcaTlsCryptoProvider().create(new SecureRandom());
    }

    static PSKTlsClient client(PskCreds creds) {
        byte[] identity = creds.username().getBytes(StandardCharsets.UTF_8);
        return new PSKTlsClient(crypto(), identity, creds.key(creds.username())) {
            @Override
            protected int[] getSupportedCipherSuites() {
                return TlsUtils.getSupportedCipherSuites(getCrypto(), SUITES);
            }
        };
    }

    /** The server; {@code lastUser} learns the identity the client named, for messages. */
    static PSKTlsServer server(PskCreds creds, String[] lastUser) {
        TlsPSKIdentityManager users = new TlsPSKIdentityManager() {
            @Override
            public byte[] getHint() {
                return null;
            }

            @Override
            public byte[] getPSK(byte[] identity) {
                String user = new String(identity, StandardCharsets.UTF_8);
                lastUser[0] = user;
                return creds.key(user);
            }
        };
        return new PSKTlsServer(crypto(), users) {
            @Override
            protected int[] getSupportedCipherSuites() {
                return TlsUtils.getSupportedCipherSuites(getCrypto(), SUITES);
            }

            @Override
            protected boolean preferLocalCipherSuites() {
                return true;
            }
        };
    }
}

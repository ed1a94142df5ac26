package io.godwit.transport.tls;

import java.nio.file.Path;

/**
 * TLS credentials loaded from a directory when the object is created (QEMU's tls-creds-*
 * objects): a missing or malformed file is refused then, not at the first migration.
 */
public sealed interface TlsCreds permits X509Creds, PskCreds {
    String id();

    /** The directory the files were read from. */
    Path dir();

    TlsEndpoint endpoint();

    /** Whether the peer's certificate is checked (x509 only; PSK always authenticates the peer). */
    boolean verifyPeer();

    /** The QOM type: tls-creds-x509 or tls-creds-psk. */
    String type();
}

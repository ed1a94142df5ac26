package io.godwit.transport.tls;

import java.time.Duration;
import java.util.Objects;

/**
 * What one side of a TLS migration channel needs, resolved from the migration parameters.
 *
 * @param hostname the name a client checks the server's certificate against; null or empty: the
 *     host of the channel's tcp: URI (QEMU's tls-hostname default)
 * @param authz on a server, who may connect (by certificate distinguished name); null: anyone the
 *     CA vouches for
 * @param handshakeTimeout a peer that has not completed the handshake by then is dropped
 */
public record TlsSettings(TlsCreds creds, String hostname, Authz authz, Duration handshakeTimeout) {
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

    public TlsSettings {
        Objects.requireNonNull(creds, "creds");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    }

    public TlsSettings(TlsCreds creds, String hostname, Authz authz) {
        this(creds, hostname, authz, DEFAULT_HANDSHAKE_TIMEOUT);
    }
}

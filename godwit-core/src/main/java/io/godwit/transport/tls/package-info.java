/**
 * TLS on migration channels, as QEMU does it: credentials objects ({@code tls-creds-x509} from a
 * directory of PEM files, {@code tls-creds-psk} from a {@code keys.psk} file), authorization lists
 * for client certificates ({@code authz-list}, {@code authz-simple}), and the wrapping of any
 * bidirectional {@link io.godwit.transport.Connection} in a TLS session: the JDK's SSLEngine for
 * x509, BouncyCastle's TLS API for pre-shared keys (optional at run time; only PSK needs it).
 */
package io.godwit.transport.tls;

package io.godwit.options;

import java.util.Objects;
import java.util.Set;

/**
 * The TLS migration parameters, with QEMU's names and semantics (migration/options.c): each is a
 * string, empty when unset; QMP's null resets one to empty.
 *
 * @param creds tls-creds: the id of a tls-creds-* object; empty: no TLS
 * @param hostname tls-hostname: the name the source checks the destination's certificate
 *     against; empty: the host of the tcp: URI
 * @param authz tls-authz: the id of an authz object the destination checks the source's
 *     certificate name against; empty: any certificate the CA signed
 */
public record TlsParameters(String creds, String hostname, String authz) {
    public static final String TLS_CREDS = "tls-creds";
    public static final String TLS_HOSTNAME = "tls-hostname";
    public static final String TLS_AUTHZ = "tls-authz";
    public static final Set<String> NAMES = Set.of(TLS_CREDS, TLS_HOSTNAME, TLS_AUTHZ);

    public TlsParameters {
        Objects.requireNonNull(creds, TLS_CREDS);
        Objects.requireNonNull(hostname, TLS_HOSTNAME);
        Objects.requireNonNull(authz, TLS_AUTHZ);
    }

    public static TlsParameters defaults() {
        return new TlsParameters("", "", "");
    }

    /** Whether migrations use TLS (QEMU's migrate_tls()). */
    public boolean enabled() {
        return !creds.isEmpty();
    }

    /** Sets one parameter by its QMP name; null resets it. */
    public TlsParameters with(String name, String value) {
        String v = value == null ? "" : value;
        return switch (name) {
            case TLS_CREDS -> new TlsParameters(v, hostname, authz);
            case TLS_HOSTNAME -> new TlsParameters(creds, v, authz);
            case TLS_AUTHZ -> new TlsParameters(creds, hostname, v);
            default -> throw new IllegalArgumentException("Parameter '" + name + "' is unexpected");
        };
    }
}

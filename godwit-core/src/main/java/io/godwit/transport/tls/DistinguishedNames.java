package io.godwit.transport.tls;

import java.util.Map;
import javax.security.auth.x500.X500Principal;

/**
 * A certificate's distinguished name as QEMU gives it to authz objects: GnuTLS's
 * gnutls_x509_crt_get_dn, RFC 4514 (most specific first, e.g.
 * {@code CN=client.example.com,O=Example,C=GB}), with GnuTLS's names for attributes RFC 4514 has no
 * keyword for (EMAIL for emailAddress, ...). Attributes neither knows appear as OID=#hex.
 */
public final class DistinguishedNames {
    private static final Map<String, String> GNUTLS_NAMES = Map.ofEntries(
            Map.entry("1.2.840.113549.1.9.1", "EMAIL"),
            Map.entry("2.5.4.5", "serialNumber"),
            Map.entry("2.5.4.12", "title"),
            Map.entry("2.5.4.4", "surName"),
            Map.entry("2.5.4.42", "givenName"),
            Map.entry("2.5.4.43", "initials"),
            Map.entry("2.5.4.44", "generationQualifier"),
            Map.entry("2.5.4.46", "dnQualifier"),
            Map.entry("2.5.4.65", "pseudonym"),
            Map.entry("2.5.4.17", "postalCode"),
            Map.entry("2.5.4.15", "businessCategory"));

    private DistinguishedNames() {}

    public static String of(X500Principal name) {
        return name.getName(X500Principal.RFC2253, GNUTLS_NAMES);
    }
}

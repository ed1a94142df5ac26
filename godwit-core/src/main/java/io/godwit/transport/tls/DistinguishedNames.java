package io.godwit.transport.tls;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.security.auth.x500.X500Principal;

/**
 * A certificate's distinguished name as QEMU gives it to authz objects: what GnuTLS's
 * gnutls_x509_crt_get_dn returns (3.7, QEMU 7.2), the attributes in the order the certificate
 * holds them, comma-separated, RFC 4514 escapes, e.g. {@code C=GB,O=Example,CN=client.example.com}
 * for a subject written /C=GB/O=Example/CN=client.example.com. That is the reverse of the RFC 4514
 * order openssl and the JDK print. Attributes RFC 4514 has no keyword for take GnuTLS's names
 * (EMAIL for emailAddress, ...); ones neither knows appear as OID=#hex.
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
        List<String> rdns = split(name.getName(X500Principal.RFC2253, GNUTLS_NAMES));
        Collections.reverse(rdns); // RFC 2253 lists the last attribute first; GnuTLS the first
        return String.join(",", rdns);
    }

    /** The RDNs of an RFC 2253 string: split at commas that no backslash escapes. */
    static List<String> split(String rfc2253) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean escaped = false;
        for (int i = 0; i < rfc2253.length(); i++) {
            char c = rfc2253.charAt(i);
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
                continue;
            }
            cur.append(c);
        }
        if (!cur.isEmpty() || !out.isEmpty()) {
            out.add(cur.toString());
        }
        return out;
    }
}

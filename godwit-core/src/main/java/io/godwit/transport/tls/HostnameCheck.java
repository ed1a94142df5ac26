package io.godwit.transport.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Whether a server certificate is for a host name, as gnutls_x509_crt_check_hostname decides: an
 * IP address matches an iPAddress alternative name; a DNS name matches a dNSName alternative name
 * (a leading "*." stands for one label), or the common name when the certificate has no dNSName.
 */
final class HostnameCheck {
    private static final int DNS = 2;
    private static final int IP = 7;

    private HostnameCheck() {}

    static boolean matches(X509Certificate cert, String host) {
        List<List<?>> alt = alternativeNames(cert);
        InetAddress ip = literal(host);
        if (ip != null) {
            for (List<?> n : alt) {
                if ((Integer) n.get(0) == IP && ip.equals(literal((String) n.get(1)))) {
                    return true;
                }
            }
            return false;
        }
        boolean anyDns = false;
        for (List<?> n : alt) {
            if ((Integer) n.get(0) == DNS) {
                anyDns = true;
                if (dnsMatches((String) n.get(1), host)) {
                    return true;
                }
            }
        }
        return !anyDns && commonNames(cert).stream().anyMatch(cn -> dnsMatches(cn, host));
    }

    static boolean dnsMatches(String pattern, String host) {
        String p = pattern.toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        if (p.endsWith(".")) {
            p = p.substring(0, p.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (p.startsWith("*.") && p.indexOf('.', 2) > 0) { // a wildcard needs two more labels
            int dot = h.indexOf('.');
            return dot > 0 && h.substring(dot).equals(p.substring(1));
        }
        return p.equals(h);
    }

    private static List<List<?>> alternativeNames(X509Certificate cert) {
        try {
            var names = cert.getSubjectAlternativeNames();
            return names == null ? List.of() : new ArrayList<>(names);
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    private static List<String> commonNames(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        try {
            for (Rdn r : new LdapName(cert.getSubjectX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253))
                    .getRdns()) {
                if (r.getType().equalsIgnoreCase("CN")) {
                    out.add(r.getValue().toString());
                }
            }
        } catch (InvalidNameException e) {
            // no usable common name
        }
        return out;
    }

    /** The address {@code s} spells (IPv4 dotted or IPv6, brackets allowed), or null for a name. */
    static InetAddress literal(String s) {
        String t = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        boolean v4 = t.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean v6 = t.contains(":") && t.matches("[0-9a-fA-F:.%a-zA-Z0-9]+");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(t); // a literal: no name lookup happens
        } catch (UnknownHostException e) {
            return null;
        }
    }
}

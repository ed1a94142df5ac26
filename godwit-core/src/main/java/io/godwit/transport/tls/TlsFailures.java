package io.godwit.transport.tls;

import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;

/**
 * One-line reasons for failed TLS sessions. The side that refused says why in its own words (the
 * certificate check's message); the side refused learns only the alert, and says what it means.
 */
final class TlsFailures {
    private static final String ALERT = "Received fatal alert: ";

    private TlsFailures() {}

    /** The handshake on {@code side} failed. */
    static String handshake(SSLException e, TlsEndpoint side, String uri) {
        String alert = alert(e);
        if (alert != null) {
            return "TLS handshake with " + peer(side) + " on " + uri + " failed: " + refusal(alert, side);
        }
        CertificateException ours = certificateCause(e);
        String why = ours != null ? ours.getMessage() : e.getMessage();
        if (why != null && why.contains("Empty client certificate chain")) {
            why = "No certificate peers: the source presented no client certificate (client-cert.pem, client-key.pem)";
        }
        return "TLS handshake with " + peer(side) + " on " + uri + " failed: " + why;
    }

    /** The session failed after the handshake (an alert in the data stream, a bad record). */
    static String session(SSLException e, TlsEndpoint side, String uri) {
        String alert = alert(e);
        if (alert != null) {
            return "TLS session with " + peer(side) + " on " + uri + " ended: " + refusal(alert, side);
        }
        return "TLS session with " + peer(side) + " on " + uri + " failed: " + e.getMessage();
    }

    static boolean isPeerAlert(SSLException e) {
        return alert(e) != null;
    }

    /** What an alert from the peer means, for the side that received it. */
    static String refusal(String alert, TlsEndpoint side) {
        String what = switch (alert) {
            case "bad_certificate", "certificate_unknown", "unknown_ca", "access_denied", "certificate_expired",
                    "certificate_revoked", "unsupported_certificate", "certificate_required" ->
                    " refused this " + (side == TlsEndpoint.CLIENT ? "source" : "destination") + "'s certificate";
            case "decrypt_error", "bad_record_mac", "unknown_psk_identity" ->
                    " refused this " + (side == TlsEndpoint.CLIENT ? "source" : "destination") + "'s pre-shared key";
            case "handshake_failure", "insufficient_security", "protocol_version" ->
                    " found no TLS version or cipher suite in common";
            default -> " ended the session";
        };
        return "the " + peer(side) + what + " (TLS alert " + alert + ")";
    }

    private static String peer(TlsEndpoint side) {
        return side == TlsEndpoint.CLIENT ? "destination" : "source";
    }

    /** The alert's name when {@code e} reports one received from the peer, else null. */
    private static String alert(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            int at = m != null ? m.indexOf(ALERT) : -1;
            if (at >= 0) {
                return m.substring(at + ALERT.length()).strip();
            }
        }
        return null;
    }

    private static CertificateException certificateCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException c) {
                return c;
            }
        }
        return null;
    }
}

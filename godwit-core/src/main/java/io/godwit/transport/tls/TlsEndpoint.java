package io.godwit.transport.tls;

/** Which end of a TLS session a credentials object is for (QEMU's QCryptoTLSCredsEndpoint). */
public enum TlsEndpoint {
    /** The destination: it listens and accepts the source's session. */
    SERVER("server"),
    /** The source: it connects. */
    CLIENT("client");

    public final String qmpName;

    TlsEndpoint(String qmpName) {
        this.qmpName = qmpName;
    }

    /** The endpoint named {@code name}, or null. */
    public static TlsEndpoint byName(String name) {
        for (TlsEndpoint e : values()) {
            if (e.qmpName.equals(name)) {
                return e;
            }
        }
        return null;
    }
}

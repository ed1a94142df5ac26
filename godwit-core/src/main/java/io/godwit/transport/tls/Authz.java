package io.godwit.transport.tls;

/**
 * Decides whether an identity may connect (QEMU's QAuthZ). For TLS x509 sessions the identity is
 * the client certificate's distinguished name, as {@link DistinguishedNames} formats it.
 */
public sealed interface Authz permits AuthzList, AuthzSimple {
    String id();

    boolean allows(String identity);

    /** The QOM type: authz-list or authz-simple. */
    String type();
}

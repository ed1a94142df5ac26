package io.godwit.transport.tls;

import java.util.Objects;

/** authz-simple: exactly one identity is allowed. */
public record AuthzSimple(String id, String identity) implements Authz {
    public AuthzSimple {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(identity, "identity");
    }

    @Override
    public boolean allows(String candidate) {
        return identity.equals(candidate);
    }

    @Override
    public String type() {
        return "authz-simple";
    }
}

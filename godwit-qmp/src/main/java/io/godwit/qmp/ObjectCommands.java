package io.godwit.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.monitor.Monitor;
import io.godwit.transport.tls.AuthzList;
import io.godwit.transport.tls.AuthzSimple;
import io.godwit.transport.tls.PskCreds;
import io.godwit.transport.tls.TlsEndpoint;
import io.godwit.transport.tls.X509Creds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * object-add and object-del for the objects migration TLS uses, with QEMU's properties and
 * messages (qapi/crypto.json, qapi/authz.json): tls-creds-x509, tls-creds-psk, authz-list,
 * authz-simple. Credentials are read from their directory here, so a bad file is the command's
 * error, as in QEMU.
 */
final class ObjectCommands {
    static final Set<String> ADD_ARGS = Set.of("qom-type", "id", "dir", "endpoint", "verify-peer", "priority",
            "sanity-check", "passwordid", "loaded", "username", "policy", "rules", "identity");
    private static final Set<String> CREDS = Set.of("qom-type", "id", "dir", "endpoint", "verify-peer", "priority",
            "loaded");
    private static final Map<String, Set<String>> PROPERTIES = Map.of(
            "tls-creds-x509", union(CREDS, Set.of("sanity-check", "passwordid")),
            "tls-creds-psk", union(CREDS, Set.of("username")),
            "authz-list", Set.of("qom-type", "id", "policy", "rules"),
            "authz-simple", Set.of("qom-type", "id", "identity"));

    private final Monitor monitor;

    ObjectCommands(Monitor monitor) {
        this.monitor = monitor;
    }

    Object add(Args a) throws IOException {
        String type = a.string("qom-type");
        Set<String> allowed = PROPERTIES.get(type);
        if (allowed == null) {
            throw QmpError.generic("Parameter 'qom-type' does not accept value '" + type + "'");
        }
        for (Iterator<String> it = a.raw().fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw QmpError.generic("Parameter '" + f + "' is unexpected");
            }
        }
        String id = a.string("id");
        if (a.has("priority")) {
            throw QmpError.generic("Property 'priority' (a GnuTLS priority string) is not supported: Godwit"
                    + " negotiates TLS 1.3 or 1.2 with the JDK's cipher suites");
        }
        if (a.has("passwordid")) {
            throw QmpError.generic("Property 'passwordid' is not supported: give an unencrypted key file");
        }
        switch (type) {
            case "tls-creds-x509" -> monitor.addObject(X509Creds.load(id, dir(a), endpoint(a),
                    a.bool("verify-peer", true), a.bool("sanity-check", true)));
            case "tls-creds-psk" -> monitor.addObject(PskCreds.load(id, dir(a), endpoint(a),
                    a.has("username") ? a.string("username") : null));
            case "authz-list" -> monitor.addObject(new AuthzList(id, policy(a, "policy", AuthzList.Policy.DENY),
                    rules(a)));
            default -> monitor.addObject(new AuthzSimple(id, a.string("identity")));
        }
        return Map.of();
    }

    Object delete(Args a) {
        monitor.deleteObject(a.string("id"));
        return Map.of();
    }

    private static Path dir(Args a) {
        if (!a.has("dir")) {
            throw QmpError.generic("Missing 'dir' property value");
        }
        return Path.of(a.string("dir"));
    }

    private static TlsEndpoint endpoint(Args a) {
        if (!a.has("endpoint")) {
            return TlsEndpoint.CLIENT; // QEMU's default
        }
        String e = a.string("endpoint");
        TlsEndpoint t = TlsEndpoint.byName(e);
        if (t == null) {
            throw QmpError.generic("Parameter 'endpoint' does not accept value '" + e + "'");
        }
        return t;
    }

    private static AuthzList.Policy policy(Args a, String name, AuthzList.Policy otherwise) {
        if (!a.has(name)) {
            return otherwise;
        }
        return policy(a.string(name), name);
    }

    private static AuthzList.Policy policy(String value, String name) {
        AuthzList.Policy p = AuthzList.Policy.byName(value);
        if (p == null) {
            throw QmpError.generic("Parameter '" + name + "' does not accept value '" + value + "'");
        }
        return p;
    }

    /** Most rules a list may have: far more than any deployment, few enough to bound the work per check. */
    static final int MAX_RULES = 4096;

    private static List<AuthzList.Rule> rules(Args a) {
        if (!a.has("rules")) {
            return List.of();
        }
        JsonNode rules = a.array("rules");
        if (rules.size() > MAX_RULES) {
            throw QmpError.generic("Parameter 'rules' has " + rules.size() + " rules; at most " + MAX_RULES);
        }
        List<AuthzList.Rule> out = new ArrayList<>();
        for (JsonNode r : rules) {
            if (!r.isObject()) {
                throw Args.type("rules", "object");
            }
            Args rule = Args.of(r, Set.of("match", "policy", "format"));
            AuthzList.Format format = AuthzList.Format.EXACT;
            if (rule.has("format")) {
                String f = rule.string("format");
                format = AuthzList.Format.byName(f);
                if (format == null) {
                    throw QmpError.generic("Parameter 'format' does not accept value '" + f + "'");
                }
            }
            out.add(new AuthzList.Rule(rule.string("match"), policy(rule.string("policy"), "policy"), format));
        }
        return out;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return Set.copyOf(u);
    }
}

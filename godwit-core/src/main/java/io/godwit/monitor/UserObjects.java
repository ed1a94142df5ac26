package io.godwit.monitor;

import io.godwit.transport.tls.Authz;
import io.godwit.transport.tls.TlsCreds;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The objects a management client created with object-add (QEMU's /objects container): TLS
 * credentials and authorization lists, by id. A migration looks its objects up when it starts and
 * keeps them, so deleting one later does not disturb it.
 */
public final class UserObjects {
    private final Map<String, Object> byId = new LinkedHashMap<>();

    synchronized void add(String id, Object o) {
        if (byId.containsKey(id)) {
            throw new MonitorException("attempt to add duplicate property '" + id + "' to object (type 'container')");
        }
        byId.put(id, o);
    }

    synchronized void remove(String id) {
        if (byId.remove(id) == null) {
            throw new MonitorException("object '" + id + "' not found");
        }
    }

    synchronized Object get(String id) {
        return byId.get(id);
    }

    /** The objects in the order they were added. */
    public synchronized List<Object> list() {
        return List.copyOf(byId.values());
    }

    /** QEMU's lookup for tls-creds, with its messages. */
    TlsCreds creds(String id) {
        Object o = get(id);
        if (o == null) {
            throw new MonitorException("No TLS credentials with id '" + id + "'");
        }
        if (!(o instanceof TlsCreds c)) {
            throw new MonitorException("Object with id '" + id + "' is not TLS credentials");
        }
        return c;
    }

    /** QEMU's lookup for tls-authz (authz/base.c), with its messages. */
    Authz authz(String id) {
        Object o = get(id);
        if (o == null) {
            throw new MonitorException("No authorization object with id '" + id + "'");
        }
        if (!(o instanceof Authz a)) {
            throw new MonitorException("Object '" + id + "' is not a QAuthZ subclass");
        }
        return a;
    }
}

package io.godwit.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Set;

/** A command's arguments, checked the way QEMU's QAPI checks them, with its messages. */
final class Args {
    private final ObjectNode node;

    private Args(ObjectNode node) {
        this.node = node;
    }

    static Args of(JsonNode arguments, Set<String> allowed) {
        if (arguments == null || arguments.isNull()) {
            return new Args(JsonNodeFactory.instance.objectNode());
        }
        if (!arguments.isObject()) {
            throw QmpError.generic("QMP input member 'arguments' must be an object");
        }
        for (Iterator<String> it = arguments.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw QmpError.generic("Parameter '" + name + "' is unexpected");
            }
        }
        return new Args((ObjectNode) arguments);
    }

    boolean has(String name) {
        return node.has(name);
    }

    String string(String name) {
        JsonNode v = required(name);
        if (!v.isTextual()) {
            throw type(name, "string");
        }
        return v.asText();
    }

    long integer(String name) {
        JsonNode v = required(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw type(name, "integer");
        }
        return v.asLong();
    }

    boolean bool(String name, boolean otherwise) {
        JsonNode v = node.get(name);
        if (v == null) {
            return otherwise;
        }
        if (!v.isBoolean()) {
            throw type(name, "boolean");
        }
        return v.asBoolean();
    }

    JsonNode array(String name) {
        JsonNode v = required(name);
        if (!v.isArray()) {
            throw type(name, "array");
        }
        return v;
    }

    ObjectNode raw() {
        return node;
    }

    private JsonNode required(String name) {
        JsonNode v = node.get(name);
        if (v == null) {
            throw QmpError.generic("Parameter '" + name + "' is missing");
        }
        return v;
    }

    static QmpError type(String name, String expected) {
        return QmpError.generic("Invalid parameter type for '" + name + "', expected: " + expected);
    }
}

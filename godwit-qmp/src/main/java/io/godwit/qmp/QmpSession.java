package io.godwit.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The protocol state of one QMP client: capability negotiation, then commands; turns each line
 * of input into the bytes of its reply. No I/O: the connection reads and writes.
 */
final class QmpSession {
    private static final Set<String> REQUEST_KEYS = Set.of("execute", "arguments", "id", "exec-oob");

    /** The reply to one line, ready to write; {@code quit} once the reply to "quit" is out. */
    record Reply(byte[] frame, boolean quit) {}

    private final QmpCommands commands;
    private volatile boolean negotiated;

    QmpSession(QmpCommands commands) {
        this.commands = commands;
    }

    /** Whether the client has negotiated capabilities, and so receives events. */
    boolean negotiated() {
        return negotiated;
    }

    static byte[] greeting() {
        return frame(Map.of("QMP", Map.of("version", QmpServer.version(), "capabilities", List.of("oob"))));
    }

    /** An error reply to no command in particular. */
    static byte[] error(QmpError e) {
        return replyFrame(null, null, e);
    }

    /** The reply to one line of input, or null for a blank line. */
    Reply handle(byte[] line) {
        JsonNode req;
        try {
            req = QmpRequestParser.parse(line);
        } catch (QmpError e) {
            return new Reply(error(e), false);
        }
        if (req == null) {
            return null;
        }
        JsonNode id = req.isObject() ? req.get("id") : null;
        try {
            Object result = run(req);
            return new Reply(replyFrame(id, result, null), req.path("execute").asText().equals("quit"));
        } catch (QmpError e) {
            return new Reply(replyFrame(id, null, e), false);
        } catch (RuntimeException e) {
            return new Reply(replyFrame(id, null, QmpError.generic(describe(e))), false);
        }
    }

    private Object run(JsonNode req) {
        if (!req.isObject()) {
            throw QmpError.generic("QMP input must be a JSON object");
        }
        for (Iterator<String> it = req.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!REQUEST_KEYS.contains(k)) {
                throw QmpError.generic("QMP input member '" + k + "' is unexpected");
            }
        }
        if (req.has("exec-oob")) {
            throw QmpError.generic("Out-of-band execution is not supported");
        }
        JsonNode exec = req.get("execute");
        if (exec == null) {
            throw QmpError.generic("QMP input lacks member 'execute'");
        }
        if (!exec.isTextual()) {
            throw QmpError.generic("QMP input member 'execute' must be a string");
        }
        String name = exec.asText();
        if (name.equals("qmp_capabilities")) {
            if (negotiated) {
                throw new QmpError("CommandNotFound", "Capabilities negotiation is already complete, command ignored");
            }
            Args.of(req.get("arguments"), Set.of("enable"));
            negotiated = true;
            return Map.of();
        }
        if (!negotiated) {
            throw new QmpError("CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'");
        }
        return commands.execute(name, req.get("arguments"));
    }

    private static byte[] replyFrame(JsonNode id, Object result, QmpError error) {
        ObjectNode r = QmpServer.JSON.createObjectNode();
        if (error == null) {
            try {
                r.set("return", QmpServer.JSON.valueToTree(result));
            } catch (IllegalArgumentException e) {
                return replyFrame(id, null, QmpError.generic("cannot encode the reply: " + describe(e)));
            }
        } else {
            ObjectNode e = r.putObject("error");
            e.put("class", error.errorClass());
            e.put("desc", error.getMessage());
        }
        if (id != null) {
            r.set("id", id);
        }
        return frame(r);
    }

    /** One message on the wire: compact JSON and CRLF, as QEMU writes it. */
    static byte[] frame(Object message) {
        try {
            byte[] json = QmpServer.JSON.writeValueAsBytes(message);
            byte[] f = Arrays.copyOf(json, json.length + 2);
            f[json.length] = '\r';
            f[json.length + 1] = '\n';
            return f;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode a QMP message: " + e.getOriginalMessage(), e);
        }
    }

    private static String describe(RuntimeException e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}

package io.godwit.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the trailer's JSON into {@link VmStateStruct}s, checking each node as it goes, so that
 * a malformed description is refused with its JSON path before any walk trusts it.
 */
final class VmStateParser {
    private final long at; // where the JSON starts, for error offsets

    VmStateParser(long at) {
        this.at = at;
    }

    VmStateDescription description(JsonNode root) throws VmStateException {
        if (!root.isObject()) {
            throw error("", "expected a JSON object with \"devices\", found " + root.getNodeType());
        }
        long pageSize = root.has("page_size") ? number(root, "page_size", "") : -1;
        JsonNode devices = root.get("devices");
        if (devices == null || !devices.isArray()) {
            throw error("", "expected a \"devices\" array");
        }
        List<DeviceDescription> list = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++) {
            String path = "devices[" + i + "]";
            JsonNode d = object(devices.get(i), path);
            String name = text(d, "name", path);
            long instance = number(d, "instance_id", path);
            list.add(new DeviceDescription(name, (int) instance, struct(d, path, false), d.toString()));
        }
        return new VmStateDescription(pageSize, list);
    }

    private VmStateStruct struct(JsonNode n, String path, boolean named) throws VmStateException {
        String vmsdName = n.has("vmsd_name") || named ? text(n, "vmsd_name", path) : null;
        int version = n.has("version") ? (int) number(n, "version", path) : -1;
        JsonNode fields = n.get("fields");
        if (fields == null || !fields.isArray()) {
            throw error(path, "expected a \"fields\" array");
        }
        List<VmStateField> fs = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            fs.add(field(object(fields.get(i), path + ".fields[" + i + "]"), path + ".fields[" + i + "]"));
        }
        List<VmStateStruct> subs = new ArrayList<>();
        JsonNode sub = n.get("subsections");
        if (sub != null) {
            if (!sub.isArray()) {
                throw error(path, "expected \"subsections\" to be an array");
            }
            for (int i = 0; i < sub.size(); i++) {
                String p = path + ".subsections[" + i + "]";
                subs.add(struct(object(sub.get(i), p), p, true));
            }
        }
        return new VmStateStruct(vmsdName, version, fs, subs);
    }

    private VmStateField field(JsonNode n, String path) throws VmStateException {
        String name = text(n, "name", path);
        String type = text(n, "type", path);
        long size = n.has("size") ? number(n, "size", path) : -1;
        int count = n.has("array_len") ? (int) number(n, "array_len", path) : 1;
        int index = n.has("index") ? (int) number(n, "index", path) : -1;
        VmStateStruct struct = null;
        if (type.equals("struct") || type.equals("vstruct")) {
            JsonNode s = n.get("struct");
            if (s != null && s.has("fields")) {
                struct = struct(object(s, path + ".struct"), path + ".struct", false);
            } else if (s == null && n.has("fields")) {
                struct = struct(n, path, false); // a vstruct describes its fields in place
            }
        }
        if (struct == null && size < 0) {
            throw error(path, "field '" + name + "' of type " + type + " has no \"size\"");
        }
        return new VmStateField(name, type, size, count, index, struct);
    }

    private JsonNode object(JsonNode n, String path) throws VmStateException {
        if (n == null || !n.isObject()) {
            throw error(path, "expected a JSON object");
        }
        return n;
    }

    private String text(JsonNode n, String key, String path) throws VmStateException {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual()) {
            throw error(path, "expected a string \"" + key + "\"");
        }
        return v.textValue();
    }

    private long number(JsonNode n, String key, String path) throws VmStateException {
        JsonNode v = n.get(key);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.longValue() < 0) {
            throw error(path, "expected \"" + key + "\" to be a number of 0 or more");
        }
        return v.longValue();
    }

    private VmStateException error(String path, String message) {
        return new VmStateException(path.isEmpty() ? "trailer" : "trailer " + path, message, at);
    }
}

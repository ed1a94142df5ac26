package io.godwit.stream;

/**
 * A small JSON writer for the VMDESCRIPTION trailer (QEMU has its own too: json-writer.c). Keeps
 * the core free of a JSON library; output never contains a NUL byte.
 */
public final class JsonWriter {
    private final StringBuilder sb = new StringBuilder();
    private boolean needComma;

    public JsonWriter beginObject(String name) {
        key(name);
        sb.append('{');
        needComma = false;
        return this;
    }

    public JsonWriter endObject() {
        sb.append('}');
        needComma = true;
        return this;
    }

    public JsonWriter beginArray(String name) {
        key(name);
        sb.append('[');
        needComma = false;
        return this;
    }

    public JsonWriter endArray() {
        sb.append(']');
        needComma = true;
        return this;
    }

    public JsonWriter value(String name, String v) {
        key(name);
        quote(v);
        needComma = true;
        return this;
    }

    public JsonWriter value(String name, long v) {
        key(name);
        sb.append(v);
        needComma = true;
        return this;
    }

    public JsonWriter value(String name, boolean v) {
        key(name);
        sb.append(v);
        needComma = true;
        return this;
    }

    /** An array element that is already JSON (a description received from a source). */
    public JsonWriter rawValue(String json) {
        key(null);
        sb.append(json);
        needComma = true;
        return this;
    }

    /** name is null inside arrays and for the top-level value. */
    private void key(String name) {
        if (needComma) {
            sb.append(", ");
        }
        if (name != null) {
            quote(name);
            sb.append(": ");
        }
    }

    private void quote(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}

package io.godwit.qmp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.godwit.stream.Printable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Parses one line of QMP input strictly: exactly one JSON value, nothing but whitespace after it,
 * no member named twice, at most {@link #MAX_NESTING_DEPTH} levels deep. What it refuses becomes
 * a one-line GenericError desc.
 */
final class QmpRequestParser {
    /** Objects and arrays, the request itself included; Godwit's commands need four. */
    static final int MAX_NESTING_DEPTH = 64;
    private static final int SNIPPET_CHARS = 20;
    private static final int DESC_CHARS = 200;
    private static final String DUPLICATE = "Duplicate field '";

    private static final ObjectMapper STRICT = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .build();

    private QmpRequestParser() {}

    /** The JSON value on {@code line}, or null when the line is blank; QmpError for anything else. */
    static JsonNode parse(byte[] line) {
        if (blankFrom(line, 0)) {
            return null;
        }
        int nul = indexOf(line, (byte) 0);
        if (nul >= 0) { // never valid JSON; Jackson would take NULs for UTF-16 or UTF-32 and fail otherwise
            throw QmpError.generic("JSON parse error, invalid character 0x00 at byte " + nul);
        }
        try (JsonParser p = STRICT.createParser(line)) {
            JsonNode value = STRICT.readTree(p);
            int end = (int) p.currentLocation().getByteOffset();
            if (!blankFrom(line, end)) {
                throw QmpError.generic("JSON parse error, unexpected '" + snippet(line, end) + "' after the JSON "
                        + (value != null && value.isObject() ? "object" : "value") + "; send one command per line");
            }
            return value;
        } catch (StreamConstraintsException e) {
            String m = String.valueOf(e.getOriginalMessage());
            throw QmpError.generic("JSON parse error, " + (m.contains("nesting depth")
                    ? "nesting deeper than " + MAX_NESTING_DEPTH + " levels" : printable(m)));
        } catch (JsonProcessingException e) {
            String m = String.valueOf(e.getOriginalMessage());
            throw QmpError.generic("JSON parse error, " + (m.startsWith(DUPLICATE)
                    ? "duplicate member '" + printable(m.substring(DUPLICATE.length())) : printable(m)));
        } catch (IOException e) { // a decoding error (a byte order mark made Jackson try UTF-16 or UTF-32)
            throw QmpError.generic("JSON parse error, " + printable(String.valueOf(e.getMessage())));
        }
    }

    private static int indexOf(byte[] line, byte b) {
        for (int i = 0; i < line.length; i++) {
            if (line[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean blankFrom(byte[] line, int from) {
        for (int i = Math.max(0, from); i < line.length; i++) {
            if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '\n') {
                return false;
            }
        }
        return true;
    }

    /** The start of what follows the value, for the error: a few characters, printable. */
    private static String snippet(byte[] line, int from) {
        String rest = new String(line, from, line.length - from, StandardCharsets.UTF_8).strip();
        return printable(rest.length() <= SNIPPET_CHARS ? rest : rest.substring(0, SNIPPET_CHARS) + "...");
    }

    /** Error descs are one printable line of bounded length, whatever the input held. */
    static String printable(String s) {
        String one = Printable.escape(s);
        return one.length() <= DESC_CHARS ? one : one.substring(0, DESC_CHARS) + "...";
    }
}

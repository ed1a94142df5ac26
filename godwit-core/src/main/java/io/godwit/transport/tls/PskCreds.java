package io.godwit.transport.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * tls-creds-psk (QEMU crypto/tlscredspsk.c): {@value #KEYS} in {@code dir} holds lines
 * {@code USERNAME:HEXKEY}. A client uses the key of {@code username} (default {@value #DEFAULT_USERNAME});
 * a server accepts any user of the file with that user's key.
 *
 * @param keys the keys by user: one entry for a client, the whole file for a server
 */
public record PskCreds(String id, Path dir, TlsEndpoint endpoint, String username, Map<String, byte[]> keys)
        implements TlsCreds {
    public static final String KEYS = "keys.psk";
    public static final String DEFAULT_USERNAME = "qemu";
    /** No PSK used with TLS is anywhere near this long; a larger one is a wrong file. */
    static final int MAX_KEY_BYTES = 512;

    public PskCreds {
        keys = Map.copyOf(keys);
    }

    /** Reads {@value #KEYS}; {@code username} is null for a server (QEMU refuses one there). */
    public static PskCreds load(String id, Path dir, TlsEndpoint endpoint, String username) throws IOException {
        if (endpoint == TlsEndpoint.SERVER && username != null) {
            throw new IOException("username should not be set when endpoint=server");
        }
        Path file = dir.resolve(KEYS);
        Map<String, byte[]> all = parse(Pem.read(file), file);
        if (endpoint == TlsEndpoint.SERVER) {
            return new PskCreds(id, dir, endpoint, null, all);
        }
        String user = username != null ? username : DEFAULT_USERNAME;
        byte[] key = all.get(user);
        if (key == null) {
            throw new IOException("Username " + user + " not found in PSK file " + file);
        }
        return new PskCreds(id, dir, endpoint, user, Map.of(user, key));
    }

    static Map<String, byte[]> parse(String text, Path file) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException(file + " line " + (i + 1) + ": expected USERNAME:HEXKEY");
            }
            String user = line.substring(0, colon);
            String hex = line.substring(colon + 1);
            if (hex.isEmpty() || hex.length() % 2 != 0 || hex.length() > 2 * MAX_KEY_BYTES) {
                throw new IOException(file + " line " + (i + 1) + ": the key of '" + user + "' must be an even number of"
                        + " hex digits, 2 to " + 2 * MAX_KEY_BYTES);
            }
            try {
                out.putIfAbsent(user, HexFormat.of().parseHex(hex)); // the first line of a user counts, as in QEMU
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " line " + (i + 1) + ": the key of '" + user + "' is not hexadecimal");
            }
        }
        if (out.isEmpty()) {
            throw new IOException(file + ": no USERNAME:HEXKEY line");
        }
        return out;
    }

    /** The key of {@code user}, or null. */
    public byte[] key(String user) {
        byte[] k = keys.get(user);
        return k != null ? k.clone() : null;
    }

    @Override
    public boolean verifyPeer() {
        return true;
    }

    @Override
    public String type() {
        return "tls-creds-psk";
    }

    @Override
    public String toString() {
        return "PskCreds[id=" + id + ", dir=" + dir + ", endpoint=" + endpoint.qmpName + ", users="
                + Arrays.toString(keys.keySet().stream().sorted().toArray()) + "]"; // never the keys
    }
}

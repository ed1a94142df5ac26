package io.godwit.transport;

import java.nio.file.Path;

/**
 * A migration URI as QEMU writes them: {@code tcp:HOST:PORT} (IPv6 hosts in brackets),
 * {@code unix:PATH}, {@code file:PATH}, {@code exec:COMMAND}.
 */
public record MigrationUri(Scheme scheme, String host, int port, Path path, String command, String text) {

    public enum Scheme { TCP, UNIX, FILE, EXEC }

    public static MigrationUri parse(String uri) {
        int colon = uri.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("bad migration URI '" + uri
                    + "': expected tcp:HOST:PORT, unix:PATH, file:PATH or exec:COMMAND");
        }
        String rest = uri.substring(colon + 1);
        return switch (uri.substring(0, colon)) {
            case "tcp" -> tcp(uri, rest);
            case "unix" -> new MigrationUri(Scheme.UNIX, null, 0, path(uri, rest), null, uri);
            case "file" -> new MigrationUri(Scheme.FILE, null, 0, path(uri, rest), null, uri);
            case "exec" -> {
                if (rest.isBlank()) {
                    throw new IllegalArgumentException("bad migration URI '" + uri + "': exec needs a command");
                }
                yield new MigrationUri(Scheme.EXEC, null, 0, null, rest, uri);
            }
            default -> throw new IllegalArgumentException("unsupported migration URI scheme '" + uri.substring(0, colon)
                    + "' in '" + uri + "': expected tcp, unix, file or exec");
        };
    }

    private static Path path(String uri, String rest) {
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("bad migration URI '" + uri + "': the path is empty");
        }
        return Path.of(rest);
    }

    private static MigrationUri tcp(String uri, String rest) {
        int split = rest.lastIndexOf(':');
        if (split < 0) {
            throw new IllegalArgumentException("bad migration URI '" + uri + "': expected tcp:HOST:PORT");
        }
        String host = rest.substring(0, split);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || host.equals("0")) {
            host = "0.0.0.0"; // QEMU's "listen on every address"
        }
        int port;
        try {
            port = Integer.parseInt(rest.substring(split + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad migration URI '" + uri + "': port '" + rest.substring(split + 1)
                    + "' is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("bad migration URI '" + uri + "': port " + port + " out of range");
        }
        return new MigrationUri(Scheme.TCP, host, port, null, null, uri);
    }

    @Override
    public String toString() {
        return text;
    }
}

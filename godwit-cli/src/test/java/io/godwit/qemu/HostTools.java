package io.godwit.qemu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the programs the QEMU tests need on this host. A missing one skips the calling test with a
 * message that says what to install. Each reason is also printed once on stderr, so a skipped run
 * shows in the build output and not only in the test reports.
 */
public final class HostTools {
    /** Names a QEMU binary to use instead of qemu-system-x86_64 on PATH. */
    public static final String QEMU_ENV = "GODWIT_QEMU";
    private static final String QEMU = "qemu-system-x86_64";
    private static final Set<String> PRINTED = ConcurrentHashMap.newKeySet();
    private static volatile Path qemu;

    private HostTools() {}

    /** The QEMU binary: {@code $GODWIT_QEMU} if set, else qemu-system-x86_64 on PATH; skips the test when none. */
    public static Path qemu() {
        Path q = qemu;
        if (q != null) {
            return q;
        }
        String override = System.getenv(QEMU_ENV);
        if (override != null && !override.isBlank()) {
            q = Path.of(override);
            if (!Files.isRegularFile(q) || !Files.isExecutable(q)) {
                skip(QEMU_ENV + "=" + override + " is not an executable file: point it at a qemu-system-x86_64"
                        + " or unset it to use the one on PATH");
            }
        } else {
            q = onPath(QEMU).orElse(null);
            if (q == null) {
                skip(QEMU + " not found on PATH: install qemu-system-x86 (Debian: apt-get install"
                        + " qemu-system-x86, or run scripts/ensure-qemu) to run the QEMU interop tests");
            }
        }
        note("QEMU interop tests use " + q + " (" + version(q) + ")");
        qemu = q;
        return q;
    }

    /**
     * Where a QEMU unpacked into a private directory (ROOT/usr/bin/qemu-system-x86_64, as
     * scripts/ensure-qemu unpacks QEMU 10.0) finds its own firmware and option ROMs: -L
     * ROOT/usr/share/qemu. Nothing for a QEMU installed by the system.
     */
    public static List<String> dataDirArgs(Path qemu) {
        Path bin = qemu.toAbsolutePath().getParent();
        Path share = bin == null || bin.getParent() == null ? null : bin.getParent().resolve("share/qemu");
        if (share == null || share.startsWith("/usr/share") || !Files.isDirectory(share)) {
            return List.of();
        }
        return List.of("-L", share.toString());
    }

    /**
     * The machine type QEMU's default "pc" machine resolves to, and so what its streams carry:
     * pc-i440fx-MAJOR.MINOR of the QEMU under test.
     */
    public static String defaultMachineType() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("version (\\d+)\\.(\\d+)").matcher(version(qemu()));
        if (!m.find()) {
            throw new IllegalStateException("cannot tell the version of " + qemu());
        }
        return "pc-i440fx-" + m.group(1) + "." + m.group(2);
    }

    /** An executable named {@code name} in a directory of PATH. */
    public static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Skips the calling test, printing the reason once per JVM. */
    static void skip(String reason) {
        note("QEMU interop tests skipped: " + reason);
        Assumptions.abort(reason);
    }

    private static void note(String line) {
        if (PRINTED.add(line)) {
            System.err.println("godwit: " + line);
        }
    }

    /** The first line of {@code qemu --version}, for the record of what was tested. */
    private static String version(Path q) {
        try {
            Process p = new ProcessBuilder(q.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return out.lines().findFirst().orElse("no version output").strip();
        } catch (IOException e) {
            return "version unknown: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "version unknown: interrupted";
        }
    }
}

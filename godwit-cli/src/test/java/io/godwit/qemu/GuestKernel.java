package io.godwit.qemu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The test guest (src/test/resources/guest/), built with the host's gcc and ld into target/guest/
 * the first time a test needs it in this JVM. Building at test time keeps binaries out of the
 * repository; it takes well under a second. A missing toolchain skips the test; a guest that does
 * not compile with one that is present fails it, with the compiler's output.
 */
public final class GuestKernel {
    private static final List<String> SOURCES = List.of("boot.S", "guest.c", "linker.ld");
    private static final List<String> CFLAGS = List.of("-m32", "-ffreestanding", "-fno-pic",
            "-fno-stack-protector", "-fno-asynchronous-unwind-tables", "-nostdlib", "-O2", "-Wall");
    private static Path built;
    private static RuntimeException failure;

    private GuestKernel() {}

    /** The guest's ELF file, built once per JVM; skips the test when gcc or ld is missing. */
    public static synchronized Path path() {
        if (built != null) {
            return built;
        }
        if (failure != null) {
            throw failure;
        }
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            HostTools.skip("the test guest is built with gcc -m32 and ld -m elf_i386, which need an x86 host"
                    + " (this one is " + arch + ")");
        }
        Path gcc = tool("gcc", "gcc");
        Path ld = tool("ld", "binutils");
        try {
            built = build(gcc, ld, targetDir().resolve("guest"));
            return built;
        } catch (IOException | RuntimeException e) {
            failure = new IllegalStateException("building the test guest failed: " + e.getMessage(), e);
            throw failure;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the test guest", e);
        }
    }

    private static Path tool(String name, String debianPackage) {
        return HostTools.onPath(name).orElseGet(() -> {
            HostTools.skip(name + " not found on PATH: install " + debianPackage
                    + " to build the test guest the QEMU interop tests boot");
            return null;
        });
    }

    /** Maven's target directory of this module (surefire runs tests in the module directory). */
    static Path targetDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target");
    }

    private static Path build(Path gcc, Path ld, Path out) throws IOException, InterruptedException {
        Files.createDirectories(out);
        // A private work directory, then one atomic rename: a JVM building at the same time
        // never sees half a file.
        Path work = Files.createTempDirectory(out, "build-");
        for (String s : SOURCES) {
            try (InputStream in = GuestKernel.class.getResourceAsStream("/guest/" + s)) {
                if (in == null) {
                    throw new IOException("guest source /guest/" + s + " is not on the test class path");
                }
                Files.copy(in, work.resolve(s));
            }
        }
        for (String c : List.of("boot.S", "guest.c")) {
            List<String> cmd = new ArrayList<>(List.of(gcc.toString()));
            cmd.addAll(CFLAGS);
            cmd.addAll(List.of("-c", c, "-o", c.substring(0, c.indexOf('.')) + ".o"));
            run(work, cmd);
        }
        run(work, List.of(ld.toString(), "-m", "elf_i386", "-T", "linker.ld", "-o", "guest.elf", "boot.o", "guest.o"));
        Path elf = out.resolve("guest.elf");
        Files.move(work.resolve("guest.elf"), elf, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (var files = Files.list(work)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(work);
        return elf;
    }

    private static void run(Path dir, List<String> cmd) throws IOException, InterruptedException {
        // Output to a file rather than a pipe: a tool that hangs cannot block the read.
        Path log = Files.createTempFile(dir, "tool-", ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + ": did not finish within 60 s");
        }
        String out = Files.readString(log, StandardCharsets.UTF_8).strip();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " (in " + dir + "): exit " + p.exitValue() + ": " + out);
        }
    }
}

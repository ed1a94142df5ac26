package io.godwit.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.qmp.QmpClient;
import io.godwit.qmp.QmpError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A QEMU process running the test guest ({@link GuestKernel}), driven over QMP. The machine is
 * always the same (128 MiB, no default devices, COM1 to a file, TCG), and extra arguments such as
 * {@code -incoming defer} come last, so a migration destination is started by the same method with
 * the same machine. Errors name the process's log file; processes still running when the JVM exits
 * are killed with it.
 */
public final class QemuGuest implements AutoCloseable {
    public static final long RAM_SIZE = 128L << 20;
    /** The guest dirties the first byte of each page in [AB_START, AB_END) once per sweep. */
    public static final long AB_START = 4L << 20;
    public static final long AB_END = 96L << 20;
    public static final String BANNER =
            "godwit guest: a-b over [4 MiB, 96 MiB), first byte of each 4 KiB page +1 per sweep";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly)));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private final Path serial;
    private final Path socketDir;
    private QmpClient qmp;

    private QemuGuest(String name, Process process, Path log, Path serial, Path socketDir) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.serial = serial;
        this.socketDir = socketDir;
    }

    /**
     * Starts QEMU with the guest; its serial output goes to DIR/NAME.serial and its own output to
     * DIR/NAME.log. Skips the calling test when QEMU or the guest's toolchain is missing.
     */
    public static QemuGuest start(Path dir, String name, String... extraArgs) throws IOException, InterruptedException {
        return start(dir, name, List.of(extraArgs));
    }

    /** {@link #start(Path, String, String...)} with the extra arguments as a list. */
    public static QemuGuest start(Path dir, String name, List<String> extraArgs)
            throws IOException, InterruptedException {
        Path qemu = HostTools.qemu();
        Path kernel = GuestKernel.path();
        Files.createDirectories(dir);
        Path log = dir.resolve(name + ".log").toAbsolutePath();
        Path serial = dir.resolve(name + ".serial").toAbsolutePath();
        // Unix socket paths are limited to 108 bytes: a short directory of its own, not DIR.
        Path socketDir = Files.createTempDirectory("godwit-qemu-");
        Path socket = socketDir.resolve("qmp.sock");
        List<String> cmd = new ArrayList<>(List.of(qemu.toString(), "-name", name,
                "-m", (RAM_SIZE >> 20) + "M", "-accel", "tcg", "-display", "none", "-nodefaults",
                "-no-reboot", // a guest that crashes exits instead of booting again unnoticed
                "-serial", "file:" + optionPath(serial), "-kernel", optionPath(kernel),
                "-qmp", "unix:" + optionPath(socket) + ",server=on,wait=off"));
        cmd.addAll(HostTools.dataDirArgs(qemu));
        cmd.addAll(extraArgs);
        Files.writeString(log, String.join(" ", cmd) + "\n");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        LIVE.add(p);
        QemuGuest g = new QemuGuest(name, p, log, serial, socketDir);
        try {
            g.qmp = g.connect(socket);
        } catch (IOException | RuntimeException | InterruptedException e) {
            try {
                g.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        return g;
    }

    /** A destination: the same machine, waiting for {@link #migrateIncoming} ({@code -incoming defer}). */
    public static QemuGuest startIncoming(Path dir, String name) throws IOException, InterruptedException {
        return start(dir, name, "-incoming", "defer");
    }

    /** QEMU splits options at commas (",," escapes one); refusing them keeps paths unambiguous. */
    private static String optionPath(Path p) {
        String s = p.toAbsolutePath().toString();
        if (s.contains(",")) {
            throw new IllegalArgumentException("QEMU option paths cannot contain a comma: " + s);
        }
        return s;
    }

    private QmpClient connect(Path socket) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            checkAlive();
            if (Files.exists(socket)) {
                try {
                    return QmpClient.connect("unix:" + socket);
                } catch (IOException e) {
                    last = e; // the file exists before QEMU listens on it
                }
            }
            Thread.sleep(POLL);
        }
        throw failure("QMP socket " + socket + " not ready within " + START_TIMEOUT.toSeconds() + " s"
                + (last != null ? ": " + last.getMessage() : ""));
    }

    public String name() {
        return name;
    }

    public Process process() {
        return process;
    }

    /** QEMU's command line, then its stdout and stderr. */
    public Path log() {
        return log;
    }

    /** What the guest wrote on COM1. */
    public Path serial() {
        return serial;
    }

    public QmpClient qmp() {
        return qmp;
    }

    public JsonNode execute(String command) throws IOException {
        return execute(command, null);
    }

    /** Runs a QMP command; an error reply throws an IOException naming the command and the log. */
    public JsonNode execute(String command, Map<String, ?> arguments) throws IOException {
        try {
            return qmp.execute(command, arguments);
        } catch (QmpError e) {
            throw failure(command + (arguments != null ? " " + arguments : "") + " failed: " + e.errorClass()
                    + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw failure(command + ": " + e.getMessage(), e);
        }
    }

    /**
     * The next event named {@code event}; events of other names are dropped. MIGRATION events come
     * only with the {@code events} migration capability on.
     */
    public JsonNode awaitEvent(String event, Duration timeout) throws IOException, InterruptedException {
        JsonNode e = qmp.awaitEvent(event, timeout);
        if (e == null) {
            checkAlive();
            throw new AssertionError(name + ": no " + event + " event within " + timeout.toMillis() + " ms; log "
                    + log);
        }
        return e;
    }

    public JsonNode queryMigrate() throws IOException {
        return execute("query-migrate");
    }

    /**
     * Polls query-migrate until its status is {@code status} and returns that reply. Reaching
     * another final status (failed, cancelled, completed) fails at once, with QEMU's error.
     */
    public JsonNode awaitMigrationStatus(String status, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode m = queryMigrate();
            String s = m.path("status").asText("none");
            if (s.equals(status)) {
                return m;
            }
            if (Set.of("failed", "cancelled", "completed").contains(s) || System.nanoTime() > deadline) {
                throw new AssertionError(name + ": migration status " + s + " while waiting for " + status
                        + (m.has("error-desc") ? " (" + m.path("error-desc").asText() + ")" : "")
                        + "; query-migrate: " + m + "; log " + log);
            }
            Thread.sleep(POLL);
        }
    }

    /** The run state from query-status: running, paused, inmigrate, postmigrate, ... */
    public String runState() throws IOException {
        return execute("query-status").path("status").asText();
    }

    /** N of the last complete "counter N" line on COM1; 0 until the first sweep ends. */
    public long lastCounter() throws IOException {
        return SerialCounter.last(serial);
    }

    /** Waits until the guest prints a counter above {@code n} and returns it. */
    public long awaitCounterAbove(long n, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long c = lastCounter();
            if (c > n) {
                return c;
            }
            checkAlive();
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + ": counter did not pass " + n + " within " + timeout.toMillis()
                        + " ms (last: " + c + ", run state " + runState() + "); serial " + serial + ", log " + log);
            }
            Thread.sleep(POLL);
        }
    }

    /** Pauses the vCPU; when this returns the guest writes nothing more. */
    public void stop() throws IOException {
        execute("stop");
    }

    public void cont() throws IOException {
        execute("cont");
    }

    /** Starts an outgoing migration; follow it with {@link #awaitMigrationStatus}. */
    public void migrate(String uri) throws IOException {
        execute("migrate", Map.of("uri", uri));
    }

    /** On a destination started with {@code -incoming defer}: starts listening on {@code uri}. */
    public void migrateIncoming(String uri) throws IOException {
        execute("migrate-incoming", Map.of("uri", uri));
    }

    /**
     * On a destination: listens on tcp:127.0.0.1 at a port the kernel picks and returns that port,
     * read back from query-migrate. No other process can take the port between choosing and binding.
     */
    public int migrateIncomingTcp() throws IOException {
        migrateIncoming("tcp:127.0.0.1:0");
        for (JsonNode a : queryMigrate().path("socket-address")) {
            if (a.path("type").asText().equals("inet")) {
                return Integer.parseInt(a.path("port").asText());
            }
        }
        throw failure("query-migrate names no tcp listening address after migrate-incoming: " + queryMigrate());
    }

    /** Writes guest-physical memory [addr, addr + size) to {@code file}. */
    public void pmemsave(long addr, long size, Path file) throws IOException {
        execute("pmemsave", Map.of("val", addr, "size", size, "filename", file.toAbsolutePath().toString()));
    }

    /**
     * Saves the machine to {@code file} as a migration stream: stops it, migrates to
     * {@code exec:cat > FILE} and waits for completion. The guest stays stopped (postmigrate).
     */
    public void saveTo(Path file) throws IOException, InterruptedException {
        stop();
        migrate("exec:cat > " + shellQuote(file.toAbsolutePath().toString()));
        awaitMigrationStatus("completed", Duration.ofSeconds(30));
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private void checkAlive() throws IOException {
        if (!process.isAlive()) {
            throw failure("QEMU exited with status " + process.exitValue());
        }
    }

    private IOException failure(String what) {
        return failure(what, null);
    }

    private IOException failure(String what, Throwable cause) {
        return new IOException(name + ": " + what + "; QEMU log " + log + ": " + tail(), cause);
    }

    /** The last lines of the log, so an error says what QEMU said. */
    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Kills QEMU (SIGKILL: nothing of it needs saving) and removes the QMP socket. */
    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        boolean exited;
        try {
            exited = process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exited = !process.isAlive();
        }
        if (exited) {
            LIVE.remove(process);
        }
        if (qmp != null) {
            qmp.close();
        }
        Files.deleteIfExists(socketDir.resolve("qmp.sock"));
        Files.deleteIfExists(socketDir);
        if (!exited) {
            throw new IOException(name + ": QEMU (pid " + process.pid() + ") did not exit within 10 s of SIGKILL");
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", log " + log + ")";
    }
}

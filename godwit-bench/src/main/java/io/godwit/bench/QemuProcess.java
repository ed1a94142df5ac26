package io.godwit.bench;

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
 * A QEMU process for the RAM benchmark, driven over a QMP unix socket. Its output goes to
 * DIR/NAME.log, named in every error. Processes still running when this JVM exits are killed
 * with it.
 */
final class QemuProcess implements AutoCloseable {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final Duration START = Duration.ofSeconds(60);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly)));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private QmpClient qmp;

    private QemuProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code qemu ARGS -qmp unix:DIR/NAME.qmp,server=on,wait=off} and connects to its QMP socket. */
    static QemuProcess start(Path qemu, Path dir, String name, List<String> args)
            throws IOException, InterruptedException {
        Path socket = dir.resolve(name + ".qmp").toAbsolutePath();
        Path log = dir.resolve(name + ".log");
        List<String> cmd = new ArrayList<>(List.of(qemu.toString(), "-name", name));
        cmd.addAll(args);
        cmd.addAll(List.of("-qmp", "unix:" + socket + ",server=on,wait=off"));
        Files.writeString(log, String.join(" ", cmd) + "\n");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        LIVE.add(p);
        p.onExit().thenRun(() -> LIVE.remove(p));
        QemuProcess q = new QemuProcess(name, p, log);
        try {
            q.qmp = q.connect(socket);
        } catch (IOException | RuntimeException | InterruptedException e) {
            q.close();
            throw e;
        }
        return q;
    }

    private QmpClient connect(Path socket) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + ": " + tail());
            }
            if (Files.exists(socket)) {
                try {
                    return QmpClient.connect("unix:" + socket);
                } catch (IOException e) {
                    last = e; // the file exists before QEMU listens on it
                }
            }
            Thread.sleep(20);
        }
        throw new IOException(name + ": QMP not ready within " + START.toSeconds() + " s"
                + (last != null ? " (" + last.getMessage() + ")" : "") + "; log " + log);
    }

    /** Runs a QMP command; an error reply throws an IOException naming the command and the log. */
    JsonNode execute(String command, Map<String, ?> arguments) throws IOException {
        try {
            return qmp.execute(command, arguments);
        } catch (QmpError e) {
            throw new IOException(name + ": " + command + " " + arguments + ": " + e.getMessage() + "; log " + log, e);
        }
    }

    /** The next event named {@code name}, others dropped; null after {@code timeout}. */
    JsonNode awaitEvent(String name, Duration timeout) throws InterruptedException {
        return qmp.awaitEvent(name, timeout);
    }

    /** CPU time of the process so far, all threads, in ms (-1 where the system does not say). */
    long cpuMs() {
        return process.toHandle().info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
    }

    /** The last lines of the log. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL: a benchmark's QEMU holds nothing worth a clean shutdown. */
    @Override
    public void close() {
        if (qmp != null) {
            try {
                qmp.close();
            } catch (IOException ignored) {
                // killed next anyway
            }
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(process);
    }
}

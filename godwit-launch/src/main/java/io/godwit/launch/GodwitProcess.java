package io.godwit.launch;

import io.godwit.qmp.QmpClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code godwit run} machine in a process of its own, started by a {@link GodwitLauncher} with this
 * JVM's java and class path, and its QMP connection. Its output goes to a log file, named in every
 * error.
 */
public final class GodwitProcess implements AutoCloseable {
    /** Children still running when this JVM exits are killed with it. */
    private static final java.util.Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly)));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private final String qmpAddress;
    private QmpClient qmp;

    private GodwitProcess(String name, Process process, Path log, String qmpAddress) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.qmpAddress = qmpAddress;
    }

    /**
     * Starts {@code godwit run --name NAME --qmp unix:DIR/NAME.qmp ARGS...} and connects to its QMP
     * socket once it is up.
     */
    static GodwitProcess start(String mainClass, Path dir, String name, List<String> runArgs,
            Duration startTimeout) throws IOException, InterruptedException {
        Path socket = dir.resolve(name + ".qmp");
        Path log = dir.resolve(name + ".log");
        List<String> cmd = new ArrayList<>(javaCommand());
        cmd.addAll(List.of(mainClass, "run", "--name", name, "--qmp", "unix:" + socket));
        cmd.addAll(runArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LIVE.add(p);
        p.onExit().thenRun(() -> LIVE.remove(p));
        GodwitProcess g = new GodwitProcess(name, p, log, "unix:" + socket);
        try {
            g.qmp = g.connect(socket, startTimeout);
        } catch (IOException | RuntimeException e) {
            g.kill();
            throw e;
        }
        return g;
    }

    /** java, its flags and the class path of this JVM. */
    public static List<String> javaCommand() {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"));
    }

    private QmpClient connect(Path socket, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with status " + process.exitValue() + " at start-up: "
                        + tail());
            }
            if (Files.exists(socket)) {
                try {
                    return QmpClient.connect(qmpAddress);
                } catch (IOException e) {
                    last = e;
                }
            }
            Thread.sleep(50);
        }
        throw new IOException(name + " did not open its QMP socket within " + timeout + ": "
                + (last != null ? last.getMessage() : tail()));
    }

    public String name() {
        return name;
    }

    public QmpClient qmp() {
        return qmp;
    }

    /** Where an incoming migration listens, from query-migrate: tcp:HOST:PORT or unix:PATH. */
    public String incomingUri() throws IOException {
        com.fasterxml.jackson.databind.JsonNode a = qmp.execute("query-migrate").path("socket-address").path(0);
        if (a.isMissingNode()) {
            throw new IOException(name + " is not listening for a migration; query-migrate has no socket-address");
        }
        return a.path("type").asText().equals("inet") ? "tcp:" + a.path("host").asText() + ":" + a.path("port").asText()
                : "unix:" + a.path("path").asText();
    }

    public String qmpAddress() {
        return qmpAddress;
    }

    public Process process() {
        return process;
    }

    public Path log() {
        return log;
    }

    /** The last lines of the log, for error messages. */
    public String tail() {
        return ChildProcesses.tail(log);
    }

    /** SIGKILL, as a crash would. */
    public void kill() {
        ChildProcesses.kill(process);
    }

    /** Asks the machine to quit; kills it if it does not exit in time. */
    @Override
    public void close() {
        try {
            if (qmp != null && process.isAlive()) {
                qmp.execute("quit");
            }
        } catch (IOException | RuntimeException ignored) {
            // it may be gone already
        }
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            if (qmp != null) {
                qmp.close();
            }
        } catch (IOException ignored) {
            // closing
        }
    }
}

package io.godwit.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Any main class in a JVM of its own, started with this JVM's java and class path (an embedding
 * service, for example), its output in a log file. It is ready once it has printed a line that
 * starts with a given word, followed by {@code key=value} pairs, which {@link #ready()} returns.
 * Children still running when this JVM exits are killed with it.
 */
public final class ChildJvm implements AutoCloseable {
    private static final java.util.Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly)));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private Map<String, String> ready = Map.of();

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code java -cp <this class path> MAINCLASS ARGS...} with output to {@code DIR/NAME.log}
     * and waits until it prints a line starting with {@code readyWord}.
     *
     * @throws IOException if it exits or stays silent until the timeout (the log's tail is in the message)
     */
    public static ChildJvm start(Path dir, String name, String mainClass, List<String> args, String readyWord,
            Duration timeout) throws IOException, InterruptedException {
        return start(dir, name, List.of(), mainClass, args, readyWord, timeout);
    }

    /** As {@link #start(Path, String, String, List, String, Duration)}, with JVM options before the main class. */
    public static ChildJvm start(Path dir, String name, List<String> jvmOptions, String mainClass, List<String> args,
            String readyWord, Duration timeout) throws IOException, InterruptedException {
        Path log = dir.resolve(name + ".log");
        List<String> cmd = new ArrayList<>(GodwitProcess.javaCommand());
        cmd.addAll(jvmOptions);
        cmd.add(mainClass);
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LIVE.add(p);
        p.onExit().thenRun(() -> LIVE.remove(p));
        ChildJvm c = new ChildJvm(name, p, log);
        try {
            c.ready = c.awaitReady(readyWord + " ", timeout);
        } catch (IOException | RuntimeException | InterruptedException e) {
            c.kill();
            throw e;
        }
        return c;
    }

    private Map<String, String> awaitReady(String prefix, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(log)) {
                if (line.startsWith(prefix)) {
                    return pairs(line.substring(prefix.length()));
                }
            }
            if (!process.isAlive()) {
                throw new IOException(name + " exited with status " + process.exitValue() + " at start-up: " + tail());
            }
            Thread.sleep(20);
        }
        throw new IOException(name + " did not say it was ready within " + timeout + ": " + tail());
    }

    private static Map<String, String> pairs(String s) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String token : s.trim().split("\\s+")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                m.put(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        return m;
    }

    public String name() {
        return name;
    }

    /** The {@code key=value} pairs of the ready line. */
    public Map<String, String> ready() {
        return ready;
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

    /** SIGTERM, so it closes what it opened; killed if it has not exited within 15 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}

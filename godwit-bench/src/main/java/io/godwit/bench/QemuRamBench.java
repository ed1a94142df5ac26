package io.godwit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * QEMU to QEMU over loopback TCP with the same RAM as {@code godwit bench ram --uri tcp}, for
 * {@code --qemu}: guest RAM of random bytes (a private mapping of a file of random bytes,
 * preallocated so the source holds it in memory as Godwit's source does), the source paused
 * ({@code -S}, no guest code runs), the destination started with {@code -incoming defer} with its
 * RAM preallocated ({@code prealloc=on}, as Godwit's destination runs with {@code --prealloc}: left
 * to fault in page by page as data arrives, QEMU spends twice the CPU), max-bandwidth unlimited. Each
 * run starts two fresh QEMU processes; {@link #round} runs one connection and multifd with
 * {@link #MULTIFD_CHANNELS} channels, so the caller can alternate them with Godwit's runs. The
 * figures are QEMU's own query-migrate {@code total-time} and {@code downtime}.
 */
public final class QemuRamBench {
    /** The QEMU that {@code --qemu} runs unless told otherwise. */
    public static final Path DEFAULT_QEMU = Path.of("/usr/bin/qemu-system-x86_64");
    public static final int MULTIFD_CHANNELS = 2;
    /** max-bandwidth in bytes/s: 1 TiB/s, unlimited in practice. */
    private static final long UNLIMITED = 1L << 40;

    private final Path qemu;
    private final Path dir;
    private final long size;
    private final Consumer<String> log;
    private final List<RamBench.Run> single = new ArrayList<>();
    private final List<RamBench.Run> multifd = new ArrayList<>();
    private Path ramFile;

    public QemuRamBench(Path qemu, Path dir, long size, Consumer<String> log) {
        if (size % (1 << 20) != 0) {
            throw new IllegalArgumentException("--qemu needs --size in whole MiB, not " + size);
        }
        this.qemu = qemu;
        this.dir = dir;
        this.size = size;
        this.log = log;
    }

    /** Why {@code qemu} cannot run here (one line), or null when it can. */
    public static String unavailable(Path qemu) {
        if (!Files.isExecutable(qemu)) {
            return qemu + " not found or not executable (Debian: apt-get install qemu-system-x86)";
        }
        try {
            version(qemu);
            return null;
        } catch (IOException e) {
            return qemu + " does not run: " + e.getMessage();
        }
    }

    /** The first line of {@code qemu --version}. */
    public static String version(Path qemu) throws IOException {
        Process p = new ProcessBuilder(qemu.toString(), "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        try {
            if (p.waitFor() != 0) {
                throw new IOException("--version exited with " + p.exitValue() + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        return out.lines().findFirst().orElse(out);
    }

    /** Writes the file of random bytes that the source's guest RAM maps. */
    public void prepare() throws IOException {
        ramFile = dir.resolve("qemu-guest-ram.bin");
        log.accept("writing " + (size >> 20) + " MiB of random bytes for QEMU's guest RAM to " + ramFile);
        SplittableRandom random = new SplittableRandom(42);
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(ramFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long done = 0; done < size; done += buf.capacity()) {
                buf.clear();
                while (buf.hasRemaining()) {
                    buf.putLong(random.nextLong());
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        }
    }

    /** Run {@code i} (0: the warm-up, not kept) of both cases: one connection, then multifd. */
    public void round(int i) throws IOException, InterruptedException {
        for (int channels : new int[] {0, MULTIFD_CHANNELS}) {
            RamBench.Run r = once(i, channels);
            log.accept(String.format("qemu %s: %s %.0f MiB/s, total %.0f ms, downtime %d ms, CPU source %d ms,"
                    + " destination %d ms", label(channels), i == 0 ? "warm-up" : "run " + i, r.mibps(), r.totalMs(),
                    r.downtimeMs(), r.sourceCpuMs(), r.destinationCpuMs()));
            if (i > 0) {
                (channels == 0 ? single : multifd).add(r);
            }
        }
    }

    public RamBench.Case single() {
        return new RamBench.Case("qemu/one-connection", single);
    }

    public RamBench.Case multifd() {
        return new RamBench.Case("qemu/multifd-" + MULTIFD_CHANNELS, multifd);
    }

    /** Deletes the file of random bytes. */
    public void cleanup() throws IOException {
        if (ramFile != null) {
            Files.deleteIfExists(ramFile);
        }
    }

    private static String label(int channels) {
        return channels == 0 ? "one connection" : "multifd " + channels;
    }

    private RamBench.Run once(int i, int channels) throws IOException, InterruptedException {
        String mb = (size >> 20) + "M";
        String file = "memory-backend-file,id=ram0,size=" + mb + ",mem-path=" + optionPath(ramFile)
                + ",share=off,prealloc=on";
        String anon = "memory-backend-ram,id=ram0,size=" + mb + ",prealloc=on";
        int port = freePort();
        try (QemuProcess src = QemuProcess.start(qemu, dir, "qemu-source" + i + "-" + channels, machine(file, "-S"));
                QemuProcess dst = QemuProcess.start(qemu, dir, "qemu-destination" + i + "-" + channels,
                        machine(anon, "-incoming", "defer"))) {
            for (QemuProcess q : List.of(src, dst)) {
                // the capabilities Godwit's bench runs with: its source waits for the destination's
                // end of load on the return path, and so does QEMU's with this on
                q.execute("migrate-set-capabilities", Map.of("capabilities",
                        List.of(Map.of("capability", "return-path", "state", true))));
                if (channels > 0) {
                    q.execute("migrate-set-capabilities", Map.of("capabilities",
                            List.of(Map.of("capability", "multifd", "state", true))));
                    q.execute("migrate-set-parameters", Map.of("multifd-channels", channels));
                }
            }
            src.execute("migrate-set-parameters", Map.of("max-bandwidth", UNLIMITED));
            src.execute("migrate-set-capabilities", Map.of("capabilities",
                    List.of(Map.of("capability", "events", "state", true))));
            String uri = "tcp:127.0.0.1:" + port;
            dst.execute("migrate-incoming", Map.of("uri", uri));
            MigrationEnd.settle(); // as for Godwit's processes, though QEMU compiles nothing
            long srcCpu = src.cpuMs();
            long dstCpu = dst.cpuMs();
            long t0 = System.nanoTime();
            src.execute("migrate", Map.of("uri", uri));
            JsonNode m = waitForEnd(src);
            long wallMs = (System.nanoTime() - t0) / 1_000_000;
            srcCpu = src.cpuMs() - srcCpu;
            dstCpu = dst.cpuMs() - dstCpu;
            if (!m.path("status").asText().equals("completed")) {
                throw new IOException("QEMU migration " + m.path("status").asText() + ": "
                        + m.path("error-desc").asText() + " (source log: " + src.tail() + "; destination log: "
                        + dst.tail() + ")");
            }
            long total = m.path("total-time").asLong();
            if (total <= 0) { // QEMU 7.2 multifd has reported a completed migration with total-time 0
                log.accept("qemu: total-time " + total + " in query-migrate; using the time to completed seen here, "
                        + wallMs + " ms");
                total = wallMs;
            }
            return new RamBench.Run(size / 1048576.0 / (total / 1000.0), m.path("downtime").asLong(), total,
                    m.path("ram").path("transferred").asLong(), srcCpu, dstCpu);
        }
    }

    /** The machine both sides run: RAM from the backend {@code ram0}, no devices, TCG (nothing runs). */
    private List<String> machine(String backend, String... extra) {
        List<String> args = new ArrayList<>(List.of("-machine", "pc,memory-backend=ram0", "-m", (size >> 20) + "M",
                "-object", backend, "-accel", "tcg,tb-size=16", "-display", "none", "-nodefaults",
                "-no-user-config"));
        args.addAll(List.of(extra));
        return args;
    }

    private static String optionPath(Path p) {
        String s = p.toAbsolutePath().toString();
        if (s.contains(",")) {
            throw new IllegalArgumentException("QEMU option paths cannot contain a comma: " + s);
        }
        return s;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static JsonNode waitForEnd(QemuProcess src) throws IOException, InterruptedException {
        return MigrationEnd.await(new MigrationEnd.Qmp() {
            @Override
            public JsonNode queryMigrate() throws IOException {
                return src.execute("query-migrate", null);
            }

            @Override
            public JsonNode nextMigrationEvent(java.time.Duration timeout) throws InterruptedException {
                return src.awaitEvent("MIGRATION", timeout);
            }
        });
    }
}

package io.godwit.cli;

import io.godwit.reference.DeviceSpec;
import io.godwit.reference.WorkloadSpec;
import io.godwit.clock.Clock;
import io.godwit.inspect.TrailerCheck;
import io.godwit.machine.Machine;
import io.godwit.reference.workload.MemoryFill;
import io.godwit.migration.MigrationListener;
import io.godwit.migration.MigrationStatus;
import io.godwit.monitor.Monitor;
import io.godwit.ram.DirtyTracker;
import io.godwit.ram.DirtyTracking;
import io.godwit.qmp.QmpServer;
import io.godwit.trace.TraceRecording;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * godwit run: one machine in this process, managed over QMP like a QEMU process. It exits on
 * "quit", SIGINT or SIGTERM, closing what it opened.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a machine with a QMP socket; optionally wait for an incoming migration.")
final class RunCommand implements Callable<Integer> {
    @Option(names = "--qmp", description = "QMP socket: unix:PATH or tcp:HOST:PORT.")
    String qmp;

    @Option(names = "--ram", description = "RAM: SIZE for one block named pc.ram, or NAME=SIZE (repeatable). "
            + "Default: 256M; with --incoming and nothing else, the RAM blocks the source has (a QEMU guest "
            + "included: its device state is kept as received).")
    List<String> ram = new ArrayList<>();

    @Option(names = "--max-ram", converter = Sizes.class, description = "The most RAM a blank destination maps for "
            + "the blocks the source names; a larger block is refused. Default: physical memory plus swap, less this "
            + "JVM's maximum heap and 256M.")
    Long maxRam;

    @Option(names = "--workload", description = "ab (full speed), ab:RATE, random:RATE or hotset:RATE (RATE "
            + "in bytes/s of dirtied pages, K/M/G suffixes), read:RATE (random reads, bytes/s of pages touched; "
            + "changes nothing), kv:OPS or kv:ID:OPS (mutations/s on a kv device), "
            + "disk:NAME:RATE[:seq] (bytes/s written to a disk, random or sequential), attrs:OPS (page states "
            + "flipped per second); repeatable.")
    List<String> workloads = new ArrayList<>();

    @Option(names = "--device", description = "A device: synthetic,id=ID,size=SIZE,dirty-rate=RATE,load-rate=RATE,"
            + "policy=POLICY[,p2p=on] or kv,id=ID,keys=N,value-size=SIZE,policy=POLICY; repeatable. POLICY: legacy, "
            + "threshold, switchover-ack, cost-aware. Either takes multifd-transfer=on|off|auto (default off): "
            + "stop-copy state on the multifd channels, loaded on a thread of its own.")
    List<String> devices = new ArrayList<>();

    @Option(names = "--disk", description = "A disk: NAME=PATH[,size=SIZE], a raw image; created with SIZE if it "
            + "does not exist, else checked against SIZE; repeatable.")
    List<String> disks = new ArrayList<>();

    @Option(names = "--unused-pages", description = "Give RAM storage attributes and mark this percentage of its "
            + "pages unused at start (0 for attributes only).")
    Integer unusedPages;

    @Option(names = "--incoming", description = "Wait for a migration on URI (tcp:, unix:, file:, exec:), or "
            + "'defer' to wait for migrate-incoming.")
    String incoming;

    @Option(names = "--prealloc", description = "Write every RAM page at start-up (like -mem-prealloc).")
    boolean prealloc;

    @Option(names = "--dirty-tracking", defaultValue = "explicit", description = "How writes to RAM are found: "
            + "explicit (writes through the RAM API; the reference workloads use it), kernel (userfaultfd "
            + "write-protection with PAGEMAP_SCAN, Linux 6.7+: any store is found), hash (page contents compared "
            + "at each sync, anywhere), or auto (kernel where it works, else hash). Default: ${DEFAULT-VALUE}.")
    String dirtyTracking;

    @Option(names = "--fill", description = "Initial RAM content: 'random', or 'realistic' (text, code, heap and "
            + "zero pages, for compression; see MemoryImage) (default: zero).")
    String fill;

    @Option(names = "--warm-up", arity = "0..1", fallbackValue = "all", paramLabel = "all|no-tls",
            description = "Before anything else, migrate scratch machines in-process until the JIT has compiled "
            + "the migration paths (benchmarks): plain, multifd and TLS; no-tls leaves TLS out, for a process "
            + "that will not use it (its compilation takes seconds of CPU).")
    String warmUp;

    @Option(names = "--name", defaultValue = "godwit", description = "Machine name, for messages.")
    String name;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random workloads.")
    long seed;

    @Option(names = "--trace", paramLabel = "FILE", description = "Record Godwit's JFR events (passes, pending "
            + "figures, bandwidth, switchover, devices) into FILE, written when the process exits; "
            + "godwit report charts it.")
    java.nio.file.Path trace;

    @Override
    public Integer call() throws Exception {
        CountDownLatch quit = new CountDownLatch(1);
        if (warmUp != null) {
            WarmUp.run(System.err, switch (warmUp) {
                case "all" -> true;
                case "no-tls" -> false;
                default -> throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--warm-up: expected all or no-tls, got '" + warmUp + "'");
            });
        }
        DirtyTracker tracker = DirtyTracking.create(DirtyTracking.Mode.parse(dirtyTracking));
        try (TraceRecording recording = trace != null ? TraceRecording.start(trace) : null;
                Machine machine = new Machine(name)) {
            if (maxRam != null) {
                machine.setMaxRam(maxRam);
            }
            addRam(machine, tracker);
            machine.setRawSectionCheck(TrailerCheck.forRelay(w -> System.err.println(name + ": " + w)));
            if ("random".equals(fill)) {
                MemoryFill.random(machine, seed);
            } else if ("realistic".equals(fill)) {
                io.godwit.reference.workload.MemoryImage.fill(machine, seed);
            } else if (fill != null && !fill.equals("zero")) {
                throw new IllegalArgumentException("--fill must be random, realistic or zero, not " + fill);
            }
            for (int i = 0; i < devices.size(); i++) {
                DeviceSpec.add(machine, devices.get(i), seed + 1000 + i);
            }
            for (String d : disks) {
                addDisk(machine, d);
            }
            if (unusedPages != null) {
                markUnused(machine.enableStorageAttributes(), unusedPages, seed);
            }
            for (int i = 0; i < workloads.size(); i++) {
                machine.addWorkload(WorkloadSpec.parse(workloads.get(i), seed + i, machine));
            }
            QmpServer server = new QmpServer(quit::countDown);
            Monitor monitor = new Monitor(machine, Clock.system(), server::emit);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                quit.countDown();
                server.close();
                monitor.close();
            }));
            try (server; monitor) {
                if (qmp != null) {
                    server.listen(qmp, monitor);
                }
                monitor.addMigrationListener(new ProgressOnMigration(monitor));
                if (incoming == null) {
                    machine.start();
                } else if (incoming.equals("defer")) {
                    machine.expectIncoming();
                } else {
                    String at = monitor.migrateIncoming(incoming);
                    System.err.printf("%s: waiting for a migration on %s%n", name, at);
                }
                System.err.printf("%s: %s RAM, devices %s, workloads %s, %s, QMP %s%n", name,
                        Sizes.format(machine.ramSize()), devices.isEmpty() ? "none" : String.join(" ", devices),
                        workloads.isEmpty() ? "none" : String.join(" ", workloads), machine.state().qmpName,
                        qmp == null ? "off" : server.address());
                quit.await();
            }
        }
        return 0;
    }

    private static void addDisk(Machine machine, String spec) throws java.io.IOException {
        int eq = spec.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--disk " + spec + ": expected NAME=PATH[,size=SIZE]");
        }
        String[] parts = spec.substring(eq + 1).split(",");
        long size = -1;
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].startsWith("size=")) {
                size = Sizes.parse(parts[i].substring(5));
            } else {
                throw new IllegalArgumentException("--disk " + spec + ": unknown property '" + parts[i] + "'");
            }
        }
        machine.addDisk(io.godwit.block.BlockDevice.open(spec.substring(0, eq), java.nio.file.Path.of(parts[0]), size));
    }

    private static void markUnused(io.godwit.stattrib.StorageAttributes attrs, int percent, long seed) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("--unused-pages must be 0 to 100, not " + percent);
        }
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (long g = 0; g < attrs.pages(); g++) {
            if (r.nextInt(100) < percent) {
                attrs.set(g, io.godwit.stattrib.PageState.UNUSED);
            }
        }
    }

    private void addRam(Machine machine, DirtyTracker tracker) {
        if (ram.isEmpty() && takesSourceLayout()) {
            return; // blank: the incoming stream brings the RAM blocks (and a QEMU guest's devices)
        }
        if (ram.isEmpty()) {
            machine.addRam("pc.ram", 256L << 20, prealloc, tracker);
            return;
        }
        for (String r : ram) {
            int eq = r.indexOf('=');
            if (eq < 0 && ram.size() > 1) {
                throw new IllegalArgumentException("--ram " + r + ": name each block (NAME=SIZE) when there are several");
            }
            String blockName = eq < 0 ? "pc.ram" : r.substring(0, eq);
            machine.addRam(blockName, Sizes.parse(eq < 0 ? r : r.substring(eq + 1)), prealloc, tracker);
        }
    }

    // A destination given nothing of its own takes the source's machine as it comes.
    private boolean takesSourceLayout() {
        return incoming != null && workloads.isEmpty() && devices.isEmpty() && disks.isEmpty() && unusedPages == null
                && fill == null && !prealloc;
    }

    /** Shows a progress line while an outgoing migration runs, then its outcome. */
    private final class ProgressOnMigration implements MigrationListener {
        private final Monitor monitor;
        private volatile Progress progress;

        @Override
        public void passCompleted(long count) {
            Progress p = progress;
            if (p != null) {
                p.passCompleted(count);
            }
        }

        ProgressOnMigration(Monitor monitor) {
            this.monitor = monitor;
        }

        @Override
        public synchronized void statusChanged(MigrationStatus from, MigrationStatus to) {
            var info = monitor.outgoingInfo();
            if (to == MigrationStatus.SETUP && info != null && !monitor.machine().ram().isEmpty()) {
                System.err.println("godwit: dirty tracking: " + monitor.machine().ram().stream()
                        .map(io.godwit.ram.RamBlock::tracker).distinct().map(DirtyTracker::description)
                        .collect(java.util.stream.Collectors.joining(", ")));
            }
            if (to == MigrationStatus.ACTIVE && info != null && progress == null) {
                progress = new Progress(monitor::outgoingInfo, System.err, 500);
            }
            if (to.isTerminal()) {
                if (progress != null) {
                    progress.stopQuietly();
                    progress = null;
                }
                if (info != null && info.status().isTerminal()) {
                    System.err.printf("%s: migration %s%s%n", name, to.qmpName, info.errorDesc() != null
                            ? ": " + info.errorDesc() : info.completed() ? " (downtime " + info.downtimeMs() + " ms)" : "");
                } else {
                    System.err.printf("%s: migration %s%n", name, to.qmpName);
                }
            }
        }
    }
}

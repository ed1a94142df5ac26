package io.godwit.cli;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.reference.workload.MemoryFill;
import io.godwit.machine.RunState;
import io.godwit.migration.IncomingMigration;
import io.godwit.migration.Migration;
import io.godwit.migration.MigrationListener;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.Parameters;
import io.godwit.transport.Listener;
import io.godwit.transport.Transports;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * Runs the save and load paths on scratch machines, over a loopback socket inside this process,
 * until the JIT has compiled them, so that a measurement that follows is not a measurement of
 * the interpreter. Memory access through the FFM API is slow until compiled, and a fresh process
 * would otherwise spend the first few hundred milliseconds of a migration there. Multifd channels
 * ({@link MultifdWarmUp}), TLS sessions (x509 and PSK, {@link TlsWarmUp}) and the QMP commands
 * around a migration ({@link QmpWarmUp}) are warmed the same way.
 */
final class WarmUp {
    private static final long SIZE = 64L << 20;
    private static final int MIN_ROUNDS = 8;
    private static final int MAX_ROUNDS = 40;

    private WarmUp() {}

    static void run(PrintStream log) throws IOException, InterruptedException {
        run(log, true);
    }

    static void run(PrintStream log, boolean tls) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        // TLS and multifd first: the classes they load would otherwise undo compiled code that was
        // compiled assuming they did not exist (the JIT deoptimizes it and compiles it again later,
        // in the middle of the migration being measured)
        try {
            if (tls) {
                TlsWarmUp.run();
            }
        } catch (Exception e) {
            log.println("warm-up: TLS: " + e.getMessage());
        }
        try {
            QmpWarmUp.run();
        } catch (IOException | RuntimeException e) {
            log.println("warm-up: QMP: " + e.getMessage());
        }
        int multifdRounds = 0;
        try {
            multifdRounds = MultifdWarmUp.run();
        } catch (IOException | RuntimeException e) { // a warm-up that fails only leaves code cold
            log.println("warm-up: multifd: " + e.getMessage());
        }
        Capabilities caps = Capabilities.of(Capability.RETURN_PATH);
        Parameters params = Parameters.defaults().withMaxBandwidth(0);
        int rounds;
        try (Machine a = new Machine("warm-up-a"); Machine b = new Machine("warm-up-b")) {
            MemoryFill.random(a.addRam("pc.ram", SIZE, true), 7);
            b.addRam("pc.ram", SIZE, true);
            JitSettling jit = new JitSettling(MIN_ROUNDS, MAX_ROUNDS);
            for (int i = 0; i == 0 || jit.another(); i++) {
                Machine from = i % 2 == 0 ? a : b;
                Machine to = i % 2 == 0 ? b : a;
                if (to.state() != RunState.PRELAUNCH && to.state() != RunState.INMIGRATE) {
                    to.stop(RunState.PAUSED);
                }
                Listener l = Transports.listen("tcp:127.0.0.1:0");
                Thread accept = Thread.ofPlatform().start(() -> {
                    try {
                        new IncomingMigration(to, l.accept(), caps, Clock.system(), MigrationListener.NONE).run();
                    } catch (IOException e) {
                        log.println("warm-up: " + e.getMessage());
                    }
                });
                Migration m = new Migration(from, () -> Transports.connect(l.address()), params, caps,
                        Clock.system(), MigrationListener.NONE);
                m.run();
                accept.join(TimeUnit.MINUTES.toMillis(1));
            }
            rounds = jit.rounds();
        }
        log.printf("warm-up: %d ms (%d multifd rounds, %d plain rounds)%n", (System.nanoTime() - t0) / 1_000_000,
                multifdRounds, rounds);
    }
}

package io.godwit.vcpu;

import io.godwit.clock.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The threads that run a machine's workloads, one per workload, as vCPUs run a guest. They step
 * only while the gate is open; {@link #pause} returns once every thread has parked between steps,
 * so whatever the workloads write is stable until {@link #resume}.
 */
public final class Vcpus {
    private final String machineName;
    private final Clock clock;
    private final RunGate gate = new RunGate();
    private final VcpuThrottle throttle = new VcpuThrottle();
    private final List<Thread> threads = new ArrayList<>(); // guarded by this
    private final StepTimes steps = new StepTimes();

    public Vcpus(String machineName, Clock clock) {
        this.machineName = machineName;
        this.clock = clock;
    }

    /** Starts a thread for {@code w}; it steps whenever the gate is open. */
    public synchronized void start(Workload w) {
        gate.register();
        int index = threads.size();
        Thread t = Thread.ofPlatform().daemon().name("godwit-vcpu-" + machineName + "-" + w.name())
                .unstarted(() -> run(w, index));
        threads.add(t);
        t.start();
    }

    private void run(Workload w, int index) {
        WorkloadPacer pacer = new WorkloadPacer(clock, gate);
        Governor governor = new Governor(index, w.name(), throttle, clock, gate, pacer);
        io.godwit.ram.PageWrites.countOnThisThread(governor.writes());
        throttle.add(governor);
        int generation = gate.generation();
        try {
            while (gate.checkpoint()) {
                if (gate.generation() != generation) {
                    generation = gate.generation();
                    pacer.restart();
                    governor.restart();
                }
                long t0 = clock.nanoTime();
                w.step(pacer);
                steps.record(t0, clock.nanoTime());
                governor.afterStep();
            }
        } finally {
            throttle.remove(governor);
            gate.deregister();
        }
    }

    /** How the workload threads are slowed during a migration (auto-converge, dirty-limit). */
    public VcpuThrottle throttle() {
        return throttle;
    }

    /** Lets the workloads run. */
    public void resume() {
        gate.open();
    }

    /**
     * What a {@link #pause} is expected to wait: a worker parks only between steps, so up to the
     * longest step seen over the last second or two (0 with no workload).
     */
    public long pauseEstimateNanos() {
        return steps.longestNanos(clock.nanoTime());
    }

    /** Stops the workloads and waits until every one has parked. */
    public void pause() {
        gate.close();
    }

    /** Parks the workloads for good and joins their threads (at most 10 s each). */
    public void shutdown() {
        List<Thread> toJoin;
        synchronized (this) {
            gate.close();
            gate.shutdown();
            toJoin = List.copyOf(threads);
        }
        for (Thread t : toJoin) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

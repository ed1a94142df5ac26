package io.godwit.qmp;

import io.godwit.clock.Clock;
import io.godwit.reference.workload.AbWorkload;
import io.godwit.machine.Machine;
import io.godwit.monitor.Monitor;
import java.io.IOException;
import java.nio.file.Path;

/** A machine, its monitor and a QMP server on a unix socket, all in this JVM. */
final class ServedMachine implements AutoCloseable {
    final Machine machine;
    final Monitor monitor;
    final QmpServer server;
    final Path socket;

    private ServedMachine(Machine machine, Path socket) throws IOException {
        this.machine = machine;
        this.socket = socket;
        this.server = new QmpServer(() -> {});
        this.monitor = new Monitor(machine, Clock.system(), server::emit);
        server.listen("unix:" + socket, monitor);
    }

    /** A running machine with {@code ramBytes} of RAM that an a-b workload keeps dirtying. */
    static ServedMachine source(Path dir, String name, long ramBytes) throws IOException {
        Machine m = new Machine(name);
        m.addRam("pc.ram", ramBytes);
        m.addWorkload(new AbWorkload());
        m.start();
        return new ServedMachine(m, dir.resolve(name + ".qmp"));
    }

    /** A machine that has not run, ready for an incoming migration. */
    static ServedMachine destination(Path dir, String name, long ramBytes) throws IOException {
        Machine m = new Machine(name);
        m.addRam("pc.ram", ramBytes);
        return new ServedMachine(m, dir.resolve(name + ".qmp"));
    }

    @Override
    public void close() {
        server.close();
        monitor.close();
        machine.close();
    }
}

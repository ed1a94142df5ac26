package io.godwit.migration;

import io.godwit.options.Capability;
import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.options.Capabilities;
import io.godwit.options.Parameters;
import io.godwit.transport.MemoryChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Migrates one machine to another inside this JVM over an in-memory channel: the source and the
 * destination each on their own thread, exactly as they would run in two processes.
 */
public final class LocalMigration {
    private final Migration source;
    private final IncomingMigration destination;

    /** The outcome on both sides. */
    public record Result(MigrationInfo source, MigrationInfo destination, String destinationError) {
        public boolean completed() {
            return source.completed() && destination.completed();
        }
    }

    public LocalMigration(Machine from, Machine to, Parameters params, Capabilities caps, MigrationListener listener) {
        MemoryChannel channel = new MemoryChannel();
        destination = new IncomingMigration(to, channel.destinationEnd(), caps, Clock.system(), MigrationListener.NONE);
        source = new Migration(from, channel.sourceEnd(), params, caps, Clock.system(), listener);
        if (caps.has(Capability.POSTCOPY_PREEMPT)) {
            MemoryChannel preempt = new MemoryChannel();
            source.preemptChannel(() -> {
                destination.preemptChannel(preempt.destinationEnd());
                return preempt.sourceEnd();
            });
        }
    }

    /** Starts both sides; the destination first, as it would be listening already. */
    public LocalMigration start() {
        destination.start();
        source.start();
        return this;
    }

    public Migration source() {
        return source;
    }

    public IncomingMigration destination() {
        return destination;
    }

    /** Waits for both sides to finish; throws if they do not within {@code timeout}. */
    public Result await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!source.await(timeout.toNanos(), TimeUnit.NANOSECONDS)
                || !destination.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("migration did not finish within " + timeout + ": source "
                    + source.status().qmpName + ", destination " + destination.status().qmpName);
        }
        return new Result(source.info(), destination.info(), destination.error());
    }

    /** Runs a whole migration and returns its outcome. */
    public static Result run(Machine from, Machine to, Parameters params, Capabilities caps, Duration timeout)
            throws InterruptedException {
        return new LocalMigration(from, to, params, caps, MigrationListener.NONE).start().await(timeout);
    }
}

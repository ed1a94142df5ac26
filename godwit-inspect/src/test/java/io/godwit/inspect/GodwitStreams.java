package io.godwit.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.migration.Migration;
import io.godwit.migration.MigrationListener;
import io.godwit.options.Capabilities;
import io.godwit.options.Parameters;
import io.godwit.stats.MigrationCounters;
import io.godwit.transport.Transports;
import java.nio.file.Path;

/** Saves a machine to a file with the engine, as a file: migration does, for inspect to read. */
final class GodwitStreams {
    private GodwitStreams() {}

    static MigrationCounters save(Machine m, Path file, Capabilities caps, Parameters params) {
        Migration mig = new Migration(m, () -> Transports.connect("file:" + file), params, caps, Clock.system(),
                MigrationListener.NONE);
        mig.run();
        assertThat(mig.info().completed()).as("migration: %s", mig.info().errorDesc()).isTrue();
        return mig.counters();
    }

    static MigrationCounters save(Machine m, Path file, Capabilities caps) {
        return save(m, file, caps, Parameters.defaults().withMaxBandwidth(0));
    }

    static InspectReport inspect(Path file) throws Exception {
        return new StreamInspector(file, null, Progress.NONE).inspect();
    }
}

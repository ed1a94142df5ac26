package io.godwit.launch;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Starts {@code godwit run} machines as child processes. The command-line module names its own
 * main class here, so nothing below it needs to know that class.
 *
 * @param mainClass the class whose {@code main} understands {@code run --name --qmp ...}
 */
public record GodwitLauncher(String mainClass) {
    public GodwitLauncher {
        if (mainClass == null || mainClass.isBlank()) {
            throw new IllegalArgumentException("a launcher needs the main class of the godwit command");
        }
    }

    /**
     * Starts {@code godwit run --name NAME --qmp unix:DIR/NAME.qmp ARGS...} and connects to its QMP
     * socket once it is up.
     */
    public GodwitProcess start(Path dir, String name, List<String> runArgs, Duration startTimeout)
            throws IOException, InterruptedException {
        return GodwitProcess.start(mainClass, dir, name, runArgs, startTimeout);
    }
}

package io.godwit.cli;

import io.godwit.launch.GodwitLauncher;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The godwit command. */
@Command(name = "godwit",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Live migration for the JVM, speaking QEMU's migration stream.",
        subcommands = {RunCommand.class, DemoCommand.class, ClientCommands.Migrate.class, ClientCommands.Query.class,
                ClientCommands.Cancel.class, ClientCommands.Set.class, ClientCommands.Raw.class, BenchCommand.class,
                InspectCommand.class, ReportCommand.class, PlanCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    /** Starts {@code godwit run} child processes of this command (the demo, benchmarks, tests). */
    public static final GodwitLauncher LAUNCHER = new GodwitLauncher(Main.class.getName());

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("godwit: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            return 1;
        });
        return cl.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"godwit " + (v != null ? v : "dev") + " (Java " + Runtime.version() + ")"};
        }
    }
}

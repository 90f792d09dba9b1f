package org.mecam.cli;

import java.io.PrintWriter;
import org.mecam.config.ConfigException;
import org.mecam.config.IoFailure;
import org.mecam.train.NonFiniteLossException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mecam} command: {@code java -jar target/mecam.jar COMMAND [OPTIONS]}. */
@Command(name = "mecam", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "MECAM in Java: multimodal emotion recognition with intra-modality contrastive filtering and"
                + " talking-heads cross-attention (DJL / PyTorch).",
        subcommands = {TrainCommand.class, EvaluateCommand.class, MetricsCommand.class, DataCommand.class,
            GridCommands.Ablate.class, GridCommands.RobustnessGrid.class, GridCommands.Report.class, BenchCommand.class,
            KernelCommand.class, GridCommands.Worker.class})
public final class Main {

    /** Exit code of bad input or configuration. */
    public static final int EXIT_INPUT = 2;
    /** Exit code of a run stopped by a non-finite loss. */
    public static final int EXIT_NON_FINITE = 3;
    /** Exit code of an input/output failure: a full disk, a read-only folder, a refused rename. */
    public static final int EXIT_IO = 4;
    /** Exit code of an interrupted command (a notebook's interrupt; signals give 130 and 143). */
    public static final int EXIT_INTERRUPTED = 130;
    /** Set to 1 to see the stack trace of an unexpected error. */
    public static final String DEBUG = "MECAM_DEBUG";

    private Main() {}

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        String command = args.length == 0 ? "mecam" : "mecam " + args[0];
        // SIGINT and SIGTERM run the shutdown hooks (exit 130 / 143): say what was stopped and
        // what is kept, once, unless the command had finished
        boolean writesResults = args.length > 0
                && java.util.Set.of("train", "evaluate", "ablate", "robustness", "report", "data", "bench").contains(args[0]);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (writesResults && !done.get()) {
                System.err.println("interrupted: `" + command + "` was stopped by a signal; finished runs and files"
                        + " are kept, the unfinished run is removed (a grid resumes where it stopped)");
                System.err.flush();
            }
        }, "interrupt-message"));
        int code;
        try {
            code = run(args);
        } catch (Throwable t) { // an Error out of a command (a class that cannot load, say): one line, exit 1
            done.set(true);
            System.err.println("error: unexpected " + t.getClass().getSimpleName() + ": " + IoFailure.describe(t));
            if ("1".equals(System.getenv(DEBUG))) {
                t.printStackTrace();
            } else {
                System.err.println("(a bug in the kit, or its jar changed while it ran: " + DEBUG + "=1 shows the stack trace)");
            }
            code = 1;
        }
        done.set(true);
        System.exit(code);
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    /** @return the configured command line */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        ConfigOptions.addTo(cl.getSubcommands().get("train").getCommandSpec());
        ConfigOptions.addTo(cl.getSubcommands().get("data").getSubcommands().get("export").getCommandSpec(),
                DataCommand.exportGroups());
        cl.setExecutionExceptionHandler(Main::handle);
        cl.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("error: " + e.getMessage());
            e.getCommandLine().getErr().println("(see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return EXIT_INPUT;
        });
        return cl;
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (e instanceof ConfigException || e instanceof IllegalArgumentException) {
            err.println("error: " + e.getMessage());
            return EXIT_INPUT;
        }
        if (e instanceof NonFiniteLossException) {
            err.println("error: " + e.getMessage());
            return EXIT_NON_FINITE;
        }
        if (e instanceof org.mecam.engine.Interruption.InterruptedRunException) {
            err.println("interrupted: " + e.getMessage());
            return EXIT_INTERRUPTED;
        }
        boolean debug = "1".equals(System.getenv(DEBUG)) || Boolean.getBoolean("mecam.debug");
        if (IoFailure.is(e)) {
            err.println("error: " + IoFailure.describe(e));
            if (debug) {
                e.printStackTrace(err);
            }
            return EXIT_IO;
        }
        err.println("error: unexpected " + e.getClass().getSimpleName() + ": " + IoFailure.describe(e));
        if (debug) {
            e.printStackTrace(err);
        } else {
            err.println("(a bug in the kit: please report it with the stack trace that " + DEBUG + "=1 prints)");
        }
        return 1;
    }

    /** Version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"mecam " + (v == null ? "(development build)" : v)};
        }
    }
}

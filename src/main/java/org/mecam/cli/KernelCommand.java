package org.mecam.cli;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mecam.config.ConfigException;
import org.mecam.kernel.KernelInstaller;
import org.mecam.kernel.KernelServer;
import org.mecam.kernel.MecamKernel;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mecam kernel install|run}: the Jupyter kernel of the notebooks. */
@Command(name = "kernel", mixinStandardHelpOptions = true,
        description = "The kit's Java Jupyter kernel (JShell with the kit on the classpath).",
        subcommands = {KernelCommand.Install.class, KernelCommand.Run.class})
final class KernelCommand {

    /** {@code kernel install}: writes the kernelspec. */
    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Install the kernelspec 'mecam-java' (\"Java 17 (MECAM)\") so that JupyterLab, Jupyter"
                    + " Notebook and nbclient can start the kernel. It runs this java with this jar's classpath.")
    static final class Install implements Callable<Integer> {

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        static final class Where {
            @Option(names = "--user", description = "the user's Jupyter data directory (the default)")
            boolean user;

            @Option(names = "--sys-prefix", description = "the prefix of the active Python environment (virtualenv"
                    + " or conda; else the python3 on the PATH, or --python)")
            boolean sysPrefix;

            @Option(names = "--prefix", paramLabel = "DIR", description = "DIR/share/jupyter/kernels")
            String prefix;
        }

        @ArgGroup(exclusive = true, multiplicity = "0..1")
        Where where;

        @Option(names = "--python", paramLabel = "PYTHON", description = "the Python whose sys.prefix --sys-prefix uses")
        String python;

        @Option(names = "--name", defaultValue = MecamKernel.NAME, description = "kernelspec name (default: ${DEFAULT-VALUE})")
        String name;

        @Option(names = "--display-name", description = "the name Jupyter shows (default: Java <version> (MECAM))")
        String displayName;

        @Option(names = "--classpath", paramLabel = "PATHS", description = "the kernel's classpath, separated by the platform's path separator (default: this"
                + " command's own, i.e. target/mecam.jar)")
        String classpath;

        @Option(names = "--jvm-option", paramLabel = "OPTION", description = "an option of the kernel's JVM, e.g."
                + " --jvm-option=-Xmx8g (repeatable)")
        List<String> jvmOptions = new ArrayList<>();

        @Option(names = "--env", paramLabel = "KEY=VALUE", description = "an environment variable of the kernel, e.g."
                + " --env MAX_EPOCH=2 (repeatable)")
        Map<String, String> env = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            KernelInstaller.Spec base = KernelInstaller.Spec.ofThisJvm();
            List<String> cp = classpath == null ? base.classpath()
                    : Arrays.stream(classpath.split(File.pathSeparator)).filter(s -> !s.isBlank())
                            .map(s -> Path.of(s).toAbsolutePath().normalize().toString()).toList();
            if (cp.isEmpty()) {
                throw new ConfigException("kernel install: empty classpath");
            }
            KernelInstaller.Spec spec = new KernelInstaller.Spec(name, displayName == null ? base.displayName() : displayName,
                    base.java(), cp, jvmOptions, env);
            KernelInstaller.Scope scope = where == null || where.user ? KernelInstaller.Scope.USER
                    : where.sysPrefix ? KernelInstaller.Scope.SYS_PREFIX : KernelInstaller.Scope.PREFIX;
            if (python != null && scope != KernelInstaller.Scope.SYS_PREFIX) {
                throw new ConfigException("kernel install: --python only applies with --sys-prefix");
            }
            Path kernels = KernelInstaller.kernelsDir(scope, scope == KernelInstaller.Scope.PREFIX ? where.prefix : python);
            Path dir = KernelInstaller.install(spec, kernels);
            var out = this.spec.commandLine().getOut();
            out.println("installed kernelspec '" + spec.name() + "' (" + spec.displayName() + ") in " + dir);
            out.flush();
            return 0;
        }
    }

    /** {@code kernel run CONNECTION_FILE}: what Jupyter starts. */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Serve a Jupyter connection (Jupyter runs this with {connection_file}).")
    static final class Run implements Callable<Integer> {

        @Parameters(paramLabel = "CONNECTION_FILE", description = "the connection file Jupyter writes")
        Path connectionFile;

        @Override
        public Integer call() throws Exception {
            // library logs go to the cell that is running (System.out is the cell's stdout then);
            // the messaging library's own logs only when something is wrong
            System.setProperty("org.slf4j.simpleLogger.logFile", "System.out");
            System.setProperty("org.slf4j.simpleLogger.log.org.dflib", "warn");
            KernelServer.serve(connectionFile);
            return 0;
        }
    }
}

package org.mecam.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import org.mecam.config.ConfigException;
import org.mecam.config.RunConfig;
import org.mecam.engine.NativeRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import org.mecam.data.Datasets;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.io.DataInspector;
import org.mecam.data.io.MmsaExport;

/** {@code mecam data}: inspect dataset files, export datasets in the MMSA layout. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Inspect and export datasets.",
        subcommands = {DataCommand.Inspect.class, DataCommand.Export.class})
final class DataCommand {

    /** {@code data inspect PATH [--labels CSV]}. */
    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = {"Print, for each split of an MMSA or MulT pickle: every array's shape and dtype with its"
                    + " non-finite count, sample count, sequence-length statistics, the 7-class label histogram,"
                    + " and which model inputs the file can feed."})
    static final class Inspect implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "the dataset pickle")
        Path file;

        @Option(names = "--labels", paramLabel = "CSV", description = "label CSV of a MulT-layout file")
        Path labels;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(DataInspector.inspect(file, labels).text());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /** {@code data export --format mmsa --out FILE.pkl [data options]}. */
    @Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Write a dataset (by default the synthetic one, as the data options describe it) in the MMSA"
                    + " unaligned layout, readable by numpy and by --dataset mmsa.")
    static final class Export implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--format", required = true, paramLabel = "mmsa", description = "the layout to write: mmsa")
        String format;

        @Option(names = "--out", required = true, paramLabel = "FILE.pkl", description = "the file to write")
        Path out;

        @Override
        public Integer call() throws Exception {
            if (!format.equals("mmsa")) {
                throw new ConfigException("--format: unknown layout '" + format + "' (supported: mmsa)");
            }
            if (out.getParent() != null && !Files.isDirectory(out.toAbsolutePath().getParent())) {
                throw new ConfigException("--out: directory " + out.toAbsolutePath().getParent() + " does not exist");
            }
            if (Files.isDirectory(out)) {
                throw new ConfigException("--out " + out + " is a directory: name the file to write, e.g. " + out.resolve("data.pkl"));
            }
            RunConfig c = ConfigOptions.resolve(spec, null);
            c.validate();
            NativeRuntime.start(c.threads, c.mklKernels, c.lstmKernel);
            MultimodalDataset data = Datasets.load(c);
            MmsaExport.write(data, out);
            spec.commandLine().getOut().println(out.toAbsolutePath());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /** @return the option groups the export command takes */
    static Set<String> exportGroups() {
        return Set.of("data");
    }
}

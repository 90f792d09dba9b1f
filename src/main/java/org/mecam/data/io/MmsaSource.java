package org.mecam.data.io;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.mecam.config.RunConfig;
import org.mecam.config.TextMode;
import tech.tablesaw.api.Table;
import org.mecam.data.DatasetSource;
import org.mecam.data.MultimodalDataset;

/** {@code mmsa}: an MMSA aligned_50 / unaligned_50 pickle ({@link MmsaReader}). */
public class MmsaSource implements DatasetSource {

    @Override
    public String key() {
        return "mmsa";
    }

    @Override
    public String description() {
        return "an MMSA aligned_50 / unaligned_50 pickle (--path)";
    }

    @Override
    public List<String> check(RunConfig c) {
        List<String> errors = new ArrayList<>();
        RunConfig.requireFile(errors, "path", c.path, "--dataset " + key() + " needs --path FILE");
        return errors;
    }

    @Override
    public MultimodalDataset load(RunConfig c) {
        boolean features = c.textMode == TextMode.FEATURES;
        return MmsaReader.read(Paths.get(c.path), features, !features);
    }

    @Override
    public boolean recognizes(java.util.function.Predicate<String> trainHas) {
        return trainHas.test("regression_labels");
    }

    @Override
    public Inspection inspect(Path file, Path labelsCsv, Table arrays) {
        boolean hasText = arrays.stringColumn("key").contains("text");
        boolean hasBert = arrays.stringColumn("key").contains("text_bert");
        MultimodalDataset data = MmsaReader.read(file, hasText, hasBert);
        List<String> inputs = new ArrayList<>();
        if (hasText) {
            inputs.add("feature mode (--dataset mmsa): text " + DataInspector.shapeOf(arrays, "train", "text"));
        }
        if (hasBert) {
            inputs.add("BERT / TorchScript mode (--text-mode bert): text_bert "
                    + DataInspector.shapeOf(arrays, "train", "text_bert"));
        }
        return new Inspection("MMSA", data, inputs);
    }
}

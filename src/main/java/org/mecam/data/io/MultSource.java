package org.mecam.data.io;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.mecam.config.ConfigException;
import org.mecam.config.RunConfig;
import org.mecam.config.TextMode;
import tech.tablesaw.api.Table;
import org.mecam.data.DataFormatException;
import org.mecam.data.DatasetSource;
import org.mecam.data.MultimodalDataset;

/** {@code mult}: a MulT / MMIM {@code *_data_noalign} pickle with its label CSV ({@link MultReader}). */
public class MultSource implements DatasetSource {

    @Override
    public String key() {
        return "mult";
    }

    @Override
    public String description() {
        return "a MulT / MMIM *_data_noalign pickle (--path) with its label CSV (--labels)";
    }

    @Override
    public List<String> check(RunConfig c) {
        List<String> errors = new ArrayList<>();
        RunConfig.requireFile(errors, "path", c.path, "--dataset " + key() + " needs --path FILE");
        RunConfig.requireFile(errors, "labels", c.labels, "--dataset mult needs --labels FILE.csv");
        return errors;
    }

    @Override
    public MultimodalDataset load(RunConfig c) {
        boolean features = c.textMode == TextMode.FEATURES;
        if (features) {
            return MultReader.read(Paths.get(c.path), Paths.get(c.labels), null);
        }
        if (c.vocab.isEmpty() && c.pretrained.isEmpty()) {
            throw new ConfigException("textMode=" + c.textMode.key() + " with --dataset mult needs --vocab vocab.txt (a"
                    + " BERT WordPiece vocabulary) or --pretrained DIR (a Hugging Face BERT folder, whose tokenizer is"
                    + " used) to tokenise the CSV transcripts");
        }
        try (TranscriptTokenizer tokenizer = c.pretrained.isEmpty() ? new WordPieceText(Paths.get(c.vocab))
                : TranscriptTokenizer.ofFolder(Paths.get(c.pretrained))) {
            return MultReader.read(Paths.get(c.path), Paths.get(c.labels), tokenizer);
        }
    }

    @Override
    public boolean recognizes(java.util.function.Predicate<String> trainHas) {
        return !trainHas.test("regression_labels");
    }

    @Override
    public Inspection inspect(Path file, Path labelsCsv, Table arrays) {
        if (labelsCsv == null) {
            throw new DataFormatException(file + ": a MulT-layout file; pass its label CSV with --labels to match"
                    + " the clip ids and read the transcripts");
        }
        MultimodalDataset data = MultReader.read(file, labelsCsv, null);
        return new Inspection("MulT", data, List.of(
                "feature mode (--dataset mult --labels CSV): GloVe text " + DataInspector.shapeOf(arrays, "train", "text"),
                "BERT / TorchScript mode with --pretrained DIR or --vocab vocab.txt: the CSV transcripts, WordPiece-tokenised"));
    }
}

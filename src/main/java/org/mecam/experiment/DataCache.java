package org.mecam.experiment;

import java.util.HashMap;
import java.util.Map;
import org.mecam.config.RunConfig;
import org.mecam.data.Datasets;
import org.mecam.data.MultimodalDataset;

/** Runs sharing a dataset configuration share its loaded data within a process. */
final class DataCache {

    private final Map<String, MultimodalDataset> data = new HashMap<>();

    /** @return the data {@code c} asks for, loaded by the first run that asks for it */
    MultimodalDataset get(RunConfig c) {
        return data.computeIfAbsent(key(c), k -> Datasets.load(c));
    }

    /** @return the key of the data {@code c} loads: runs with the same key share it */
    static String key(RunConfig c) {
        return String.join("|", c.dataset, c.preset.key(), c.path, c.labels, c.vocab, String.valueOf(c.dataSeed),
                String.valueOf(c.trainSize), String.valueOf(c.validSize), String.valueOf(c.testSize),
                String.valueOf(c.negativeFraction), String.valueOf(c.datasetLimit), c.textMode.key());
    }
}

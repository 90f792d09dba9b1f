package org.mecam.data;

import java.nio.file.Path;
import java.util.List;
import org.mecam.config.DatasetFormat;
import org.mecam.config.RunConfig;
import tech.tablesaw.api.Table;

/**
 * A dataset format's reader: what the configuration's {@code dataset} key loads
 * ({@link Datasets#load}) and, for file formats, what {@code data inspect} recognises and
 * describes ({@link DataInspector#inspect(Path, Path)}). One class per format, registered in
 * {@code META-INF/services/org.mecam.config.DatasetFormat}.
 */
public interface DatasetSource extends DatasetFormat {

    /**
     * @return the splits the configuration names, with their shapes, alignment, notes and
     *     unknown-token id ({@link MultimodalDataset#info()}, {@link MultimodalDataset#notes()})
     * @throws org.mecam.config.ConfigException naming file, split, key and shape when they cannot be used
     */
    MultimodalDataset load(RunConfig c);

    /**
     * @param trainHas whether a pickle file's train split holds a key
     * @return whether the file is in this format's layout (false for formats that are not pickles)
     */
    default boolean recognizes(java.util.function.Predicate<String> trainHas) {
        return false;
    }

    /** What {@code data inspect} says about a file of this format. */
    record Inspection(String layout, MultimodalDataset data, List<String> inputs) {}

    /**
     * @param arrays every array of the file (split, key, shape, dtype), for the inputs' shapes
     * @param labelsCsv a label file given with {@code --labels}, or null
     */
    default Inspection inspect(Path file, Path labelsCsv, Table arrays) {
        throw new UnsupportedOperationException(key() + " has no file to inspect");
    }

    /** @return the source of {@code key} (every registered format is a source) */
    static DatasetSource of(String key) {
        return (DatasetSource) DatasetFormat.of(key);
    }
}

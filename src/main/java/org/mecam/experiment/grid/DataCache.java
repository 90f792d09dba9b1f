package org.mecam.experiment.grid;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mecam.config.Choice;
import org.mecam.config.DataField;
import org.mecam.config.Doc;
import org.mecam.config.RunConfig;
import org.mecam.data.Datasets;
import org.mecam.data.MultimodalDataset;

/**
 * Runs sharing a dataset configuration share its loaded data within a process. The configuration
 * values that make up the key are found by their annotations, so that a new data option is part
 * of it without a change here.
 */
final class DataCache {

    private static final List<Field> KEY_FIELDS = RunConfig.fields().stream().filter(DataCache::decidesData).toList();

    private final Map<String, MultimodalDataset> data = new HashMap<>();

    /** @return the data {@code c} asks for, loaded by the first run that asks for it */
    MultimodalDataset get(RunConfig c) {
        return data.computeIfAbsent(key(c), k -> Datasets.load(c));
    }

    /**
     * @return the key of the data {@code c} loads: the values of {@link #keyFields()}, in order;
     *     runs with the same key share it
     */
    static String key(RunConfig c) {
        List<String> values = new ArrayList<>();
        for (Field f : KEY_FIELDS) {
            try {
                Object v = f.get(c);
                values.add(v instanceof Choice choice ? choice.key() : String.valueOf(v));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.join("|", values);
    }

    /**
     * @return the configuration values that decide the loaded data, in declaration order: the
     *     options of the {@code "data"} group ({@link Doc#group()}) and those marked
     *     {@link DataField} elsewhere
     */
    static List<Field> keyFields() {
        return KEY_FIELDS;
    }

    private static boolean decidesData(Field f) {
        Doc doc = f.getAnnotation(Doc.class);
        return (doc != null && doc.group().equals("data")) || f.isAnnotationPresent(DataField.class);
    }
}

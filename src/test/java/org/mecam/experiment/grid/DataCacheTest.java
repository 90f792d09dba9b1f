package org.mecam.experiment.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mecam.config.Choice;
import org.mecam.config.DataField;
import org.mecam.config.Doc;
import org.mecam.config.RunConfig;

/** The key under which a grid's runs share loaded data: every data option, and nothing else. */
class DataCacheTest {

    @Test
    void theKeyHoldsEveryDataOptionInDeclarationOrder() throws Exception {
        List<Field> fields = DataCache.keyFields();
        List<String> names = fields.stream().map(Field::getName).toList();
        for (Field f : RunConfig.fields()) {
            Doc doc = f.getAnnotation(Doc.class);
            boolean data = (doc != null && doc.group().equals("data")) || f.isAnnotationPresent(DataField.class);
            assertEquals(data, names.contains(f.getName()), f.getName());
        }
        assertTrue(names.containsAll(List.of("dataset", "preset", "path", "negativeFraction", "datasetLimit", "textMode")),
                names.toString());
        assertEquals(RunConfig.fields().stream().map(Field::getName).filter(names::contains).toList(), names,
                "declaration order");

        RunConfig c = new RunConfig();
        for (Field f : fields) {
            f.set(c, altered(f, f.get(c)));
        }
        List<String> parts = Arrays.asList(DataCache.key(c).split("\\|", -1));
        assertEquals(fields.size(), parts.size(), DataCache.key(c));
        for (int i = 0; i < fields.size(); i++) {
            Object v = fields.get(i).get(c);
            assertEquals(v instanceof Choice choice ? choice.key() : String.valueOf(v), parts.get(i), fields.get(i).getName());
        }
    }

    @Test
    void onlyDataOptionsSeparateRuns() throws Exception {
        RunConfig base = new RunConfig();
        RunConfig otherSeed = new RunConfig();
        otherSeed.seed = 1112;
        otherSeed.alpha = 0;
        assertEquals(DataCache.key(base), DataCache.key(otherSeed), "seed and alpha do not change the data");
        RunConfig otherFraction = new RunConfig();
        otherFraction.negativeFraction = 0.5;
        assertNotEquals(DataCache.key(base), DataCache.key(otherFraction));

        for (Field f : RunConfig.fields()) {
            RunConfig changed = new RunConfig();
            f.set(changed, altered(f, f.get(changed)));
            boolean data = DataCache.keyFields().contains(f);
            assertEquals(data, !DataCache.key(base).equals(DataCache.key(changed)), f.getName());
        }
    }

    /** @return a value of the field's type other than {@code v} */
    private static Object altered(Field f, Object v) {
        Class<?> t = f.getType();
        if (t == String.class) {
            return v + "-" + f.getName();
        }
        if (t == int.class) {
            return (Integer) v + 3;
        }
        if (t == long.class) {
            return (Long) v + 3;
        }
        if (t == double.class) {
            return (Double) v + 0.125;
        }
        if (t == boolean.class) {
            return !(Boolean) v;
        }
        if (t.isEnum()) {
            Object[] constants = t.getEnumConstants();
            return constants[(Arrays.asList(constants).indexOf(v) + 1) % constants.length];
        }
        throw new AssertionError("no other value for " + f.getName() + " of " + t);
    }
}

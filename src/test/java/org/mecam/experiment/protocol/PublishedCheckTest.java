package org.mecam.experiment.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.TestSupport;
import org.mecam.config.ConfigJson;
import org.mecam.config.RunConfig;
import org.mecam.data.io.Npy;

/**
 * The published-check export holds what {@code scripts/published-check.py} reads (names, shapes,
 * manifest keys), the published state-dict names of MMILB, and the weights copied into the
 * filters recomputed at other temperatures are the model's own.
 */
class PublishedCheckTest {

    @BeforeAll
    static void start() {
        TestSupport.start();
    }

    @Test
    void exportHoldsWhatTheScriptReads(@TempDir Path tmp) throws IOException {
        // tau 0.3, one of EXTRA_TAUS: the model's own filter and the recomputed one must agree
        RunConfig c = TestSupport.tiny("tau=0.3", "threads=1");
        Map<String, Double> values = PublishedCheck.export(c, tmp);
        int b = c.batchSize;
        JsonObject manifest = ConfigJson.parse(Files.readString(tmp.resolve("manifest.json"))).getAsJsonObject();
        assertEquals("exact", manifest.getAsJsonObject("config").get("positives").getAsString());
        assertTrue(!manifest.getAsJsonObject("config").get("excludeSelf").getAsBoolean());
        assertTrue(manifest.getAsJsonObject("kit").has("gitCommit"));
        assertEquals(c.contrastScale, manifest.get("contrastScale").getAsDouble());

        assertArrayEquals(new long[] {b}, shape(tmp, "labels"));
        assertArrayEquals(new long[] {b}, shape(tmp, "labels_previous"));
        assertArrayEquals(new long[] {b}, shape(tmp, "labels_class7"));
        Map<String, Integer> widths = Map.of("t", c.textDim, "a", c.audioOut, "v", c.visionOut);
        List<String> modalities = strings(manifest.getAsJsonArray("modalities"));
        assertEquals(List.of("t", "a", "v"), modalities);
        for (String m : modalities) {
            long d = widths.get(m);
            assertArrayEquals(new long[] {b, d}, shape(tmp, "h_" + m));
            assertArrayEquals(new long[] {b, d}, shape(tmp, "h_" + m + "_previous"));
            assertArrayEquals(new long[] {c.contrastDim, d}, shape(tmp, "contrast_" + m + ".align_dim.weight"));
            assertArrayEquals(new long[] {c.contrastDim}, shape(tmp, "contrast_" + m + ".align_dim.bias"));
        }

        JsonArray cases = manifest.getAsJsonArray("contrastive");
        assertEquals(2 + PublishedCheck.EXTRA_TAUS.length, cases.size());
        for (JsonElement e : cases) {
            JsonObject k = e.getAsJsonObject();
            for (String key : List.of("name", "tau", "negWeight", "labels", "values", "nce")) {
                assertTrue(k.has(key), key);
            }
            assertTrue(Files.isRegularFile(tmp.resolve(k.get("labels").getAsString() + ".npy")));
        }
        for (String m : modalities) {
            double published = values.get("contrastive_" + m);
            assertTrue(Double.isFinite(published) && published > 0, m + ": " + published);
            assertEquals(published, values.get("contrastive_" + m + "_tau0.3"), 1e-6,
                    "the recomputed filter has the model's weights");
        }

        JsonArray pairs = manifest.getAsJsonArray("pairs");
        assertEquals(3, pairs.size());
        double lld = 0;
        for (JsonElement e : pairs) {
            JsonObject p = e.getAsJsonObject();
            String key = p.get("pair").getAsString();
            long dx = widths.get(p.get("x").getAsString());
            long dy = widths.get(p.get("y").getAsString());
            String prefix = "mmilb_" + key + ".";
            for (String module : List.of("mlp_mu", "mlp_logvar")) {
                assertArrayEquals(new long[] {dy, dx}, shape(tmp, prefix + module + ".0.weight"));
                assertArrayEquals(new long[] {dy}, shape(tmp, prefix + module + ".0.bias"));
                assertArrayEquals(new long[] {dy, dy}, shape(tmp, prefix + module + ".2.weight"));
                assertArrayEquals(new long[] {dy}, shape(tmp, prefix + module + ".2.bias"));
            }
            assertArrayEquals(new long[] {dy / 4, dy}, shape(tmp, prefix + "entropy_prj.0.weight"));
            assertArrayEquals(new long[] {dy / 4}, shape(tmp, prefix + "entropy_prj.0.bias"));
            assertTrue(Double.isFinite(values.get("entropy_" + key)), "entropy of " + key);
            lld += values.get("lld_" + key);
        }
        assertEquals(values.get("lld"), lld, 1e-5);
        double entropy = values.get("entropy_tv") + values.get("entropy_ta") + values.get("entropy_va");
        assertEquals(values.get("entropy"), entropy, 1e-4);
    }

    @Test
    void mmilbParametersGetThePublishedStateDictNames() {
        assertEquals("mlp_mu.0.weight", PublishedCheck.publishedName("01mu_01Linear_weight"));
        assertEquals("mlp_logvar.2.bias", PublishedCheck.publishedName("02logvar_03Linear_bias"));
        assertEquals("entropy_prj.0.weight", PublishedCheck.publishedName("03entropyProjection_01Linear_weight"));
    }

    private static long[] shape(Path dir, String name) throws IOException {
        Path f = dir.resolve(name + ".npy");
        try (InputStream in = Files.newInputStream(f)) {
            return Npy.readFloat32(in, f, name).shape();
        }
    }

    private static List<String> strings(JsonArray a) {
        return a.asList().stream().map(JsonElement::getAsString).toList();
    }
}

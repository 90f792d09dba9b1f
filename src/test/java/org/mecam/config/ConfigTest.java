package org.mecam.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Config JSON round trip, strict loading and validation messages. */
class ConfigTest {

    @Test
    void jsonRoundTripKeepsEveryValue() {
        RunConfig c = new RunConfig();
        c.fusion = "pooled";
        c.selection = Selection.TEST_LEAKY;
        c.lrMain = 5e-4;
        c.modalities = "ta";
        c.excludeSelf = true;
        RunConfig back = ConfigJson.fromJson(ConfigJson.toJson(c), "test");
        assertEquals(ConfigJson.toJson(c), ConfigJson.toJson(back));
        assertTrue(ConfigJson.toJson(c).contains("\"selection\": \"test-leaky\""));
    }

    @Test
    void unknownKeysAndWrongTypesNameTheKey() {
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> ConfigJson.fromJson("{\"fusoin\": \"concat\"}", "my.json"));
        assertTrue(unknown.getMessage().contains("my.json") && unknown.getMessage().contains("fusoin"));
        ConfigException type = assertThrows(ConfigException.class, () -> ConfigJson.fromJson("{\"epochs\": 2.5}", "x"));
        assertTrue(type.getMessage().contains("epochs"));
        ConfigException choice = assertThrows(ConfigException.class, () -> ConfigJson.fromJson("{\"fusion\": \"sum\"}", "x"));
        assertTrue(choice.getMessage().contains("attention, pooled, concat"));
    }

    @Test
    void validationListsEveryProblemByKey() {
        RunConfig c = new RunConfig();
        c.lrMain = -1;
        c.modalities = "tx";
        c.dataset = "mmsa";
        c.path = "/does/not/exist.pkl";
        c.diagnosticsEvery = 0;
        ConfigException e = assertThrows(ConfigException.class, c::validate);
        assertTrue(e.getMessage().contains("diagnosticsEvery"), e.getMessage());
        assertTrue(e.getMessage().contains("lrMain"));
        assertTrue(e.getMessage().contains("modalities"));
        assertTrue(e.getMessage().contains("path: file not found"));
        new RunConfig().validate();
    }

    @Test
    void builtInConfigsLoadAndAProvenanceBlockIsIgnored() {
        assertEquals(Preset.TINY, ConfigJson.load("tiny").preset);
        assertEquals(64, ConfigJson.load("mosei").batchSize);
        RunConfig c = ConfigJson.fromJson("{\"seed\": 5, \"provenance\": {\"gitCommit\": \"abc\"}}", "run config.json");
        assertEquals(5, c.seed);
        assertEquals("lr-main", ConfigJson.kebab("lrMain"));
    }

    @Test
    void wholeNumbersAreRangeCheckedNotTruncated() {
        RunConfig c = new RunConfig();
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> ConfigJson.setFromString(c, "epochs", "99999999999"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("epochs") && e.getMessage().contains("out of range"),
                e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> ConfigJson.setFromString(c, "batchSize",
                "4294967298"));
        org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> ConfigJson.setFromString(c, "epochs", "2.5"));
        ConfigJson.setFromString(c, "epochs", "1e2");
        org.junit.jupiter.api.Assertions.assertEquals(100, c.epochs, "an exponent that makes a whole number is fine");
        ConfigJson.setFromString(c, "seed", "99999999999");
        org.junit.jupiter.api.Assertions.assertEquals(99999999999L, c.seed, "long keys take long values");
    }

    @Test
    void jsonSyntaxErrorsAreOneReadableLine() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> ConfigJson.fromJson("{\"epochs\": 3,, }", "bad.json"));
        org.junit.jupiter.api.Assertions.assertEquals("bad.json: not valid JSON: line 1 column 14: expected name (after $.epochs)",
                e.getMessage());
    }

    @Test
    void aRunsConfigReplaysTheThreadCountItsProvenanceRecorded() {
        String legacy = "{\"threads\": 0, \"seed\": 7, \"provenance\": {\"runtime\": {\"intraOpThreads\": 3}}}";
        assertEquals(3, ConfigJson.fromJson(legacy, "legacy").threads, "shipped runs said 0 and recorded what it was");
        String recorded = "{\"threads\": 2, \"provenance\": {\"runtime\": {\"intraOpThreads\": 3}}}";
        assertEquals(2, ConfigJson.fromJson(recorded, "new").threads, "the recorded key wins");
        assertEquals(0, ConfigJson.fromJson("{\"threads\": 0}", "plain").threads, "a hand-written config keeps the default");
    }

    /**
     * A key added after runs were shipped: a run's config.json without it (it has provenance)
     * replays with {@code legacy}, one that records it keeps it, a hand-written one gets the
     * default, and a value not among the choices fails validation with one line naming them.
     */
    private static void assertAddedKey(String key, String legacy, String recorded, String defaultValue, String choices,
            java.util.function.Function<RunConfig, String> field) {
        String old = "{\"seed\": 7, \"provenance\": {\"runtime\": {\"intraOpThreads\": 1}}}";
        assertEquals(legacy, field.apply(ConfigJson.fromJson(old, "legacy")), key + ": shipped runs' value");
        String kept = "{\"" + key + "\": \"" + recorded + "\", \"provenance\": {\"runtime\": {}}}";
        assertEquals(recorded, field.apply(ConfigJson.fromJson(kept, "new")), key + ": the recorded key wins");
        assertEquals(defaultValue, field.apply(ConfigJson.fromJson("{\"seed\": 3}", "plain")),
                key + ": a hand-written config gets the default");
        RunConfig bad = ConfigJson.fromJson("{\"" + key + "\": \"fast\"}", "x");
        ConfigException e = assertThrows(ConfigException.class, bad::validate);
        org.junit.jupiter.api.Assertions.assertTrue(
                e.getMessage().contains(key + ": must be one of " + choices + ", got 'fast'"), e.getMessage());
    }

    @Test
    void aRunsConfigFromBeforeMklKernelsReplaysWithMklsOwnKernels() {
        assertAddedKey("mklKernels", "vendor", "avx512", org.mecam.engine.MklKernels.defaultMode(), "avx512, vendor",
                c -> c.mklKernels);
    }

    @Test
    void aRunsConfigFromBeforeAttentionKernelReplaysWithTheDirectAttention() {
        assertAddedKey("attentionKernel", "direct", "factored", org.mecam.model.AttentionKernel.configDefault(),
                "factored, direct", c -> c.attentionKernel);
    }

    @Test
    void aRunsConfigFromBeforeLstmKernelReplaysWithOneDnnCapped() {
        assertAddedKey("lstmKernel", "capped", "training", org.mecam.engine.LstmKernel.configDefault(),
                "training, capped", c -> c.lstmKernel);
    }

    @Test
    void aRunsConfigFromBeforeDropoutMasksReplaysWithLibtorchsMasks() {
        assertAddedKey("dropoutMasks", "libtorch", "kit", org.mecam.model.DropoutMasks.configDefault(),
                "auto, kit, libtorch", c -> c.dropoutMasks);
        assertEquals("kit", org.mecam.model.DropoutMasks.resolve("auto", ai.djl.Device.cpu()));
        assertEquals("libtorch", org.mecam.model.DropoutMasks.resolve("auto", ai.djl.Device.gpu()));
        assertEquals("libtorch", org.mecam.model.DropoutMasks.resolve("libtorch", ai.djl.Device.cpu()));
    }
}

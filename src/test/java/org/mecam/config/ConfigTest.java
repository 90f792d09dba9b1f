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

    @Test
    void aRunsConfigFromBeforeMklKernelsReplaysWithMklsOwnKernels() {
        String legacy = "{\"seed\": 7, \"provenance\": {\"runtime\": {\"intraOpThreads\": 1}}}";
        assertEquals("vendor", ConfigJson.fromJson(legacy, "legacy").mklKernels, "shipped runs were computed with MKL's choice");
        String recorded = "{\"mklKernels\": \"avx512\", \"provenance\": {\"runtime\": {}}}";
        assertEquals("avx512", ConfigJson.fromJson(recorded, "new").mklKernels, "the recorded key wins");
        assertEquals(org.mecam.engine.MklKernels.defaultMode(), ConfigJson.fromJson("{\"seed\": 3}", "plain").mklKernels,
                "a hand-written config gets the default");
        RunConfig bad = ConfigJson.fromJson("{\"mklKernels\": \"fast\"}", "x");
        ConfigException e = assertThrows(ConfigException.class, bad::validate);
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("mklKernels: must be one of avx512, vendor, got 'fast'"),
                e.getMessage());
    }

    @Test
    void aRunsConfigFromBeforeAttentionKernelReplaysWithTheDirectAttention() {
        String legacy = "{\"seed\": 7, \"provenance\": {\"runtime\": {\"intraOpThreads\": 1}}}";
        assertEquals("direct", ConfigJson.fromJson(legacy, "legacy").attentionKernel, "shipped runs computed it op by op");
        String recorded = "{\"attentionKernel\": \"factored\", \"provenance\": {\"runtime\": {}}}";
        assertEquals("factored", ConfigJson.fromJson(recorded, "new").attentionKernel, "the recorded key wins");
        assertEquals(org.mecam.model.AttentionKernel.configDefault(),
                ConfigJson.fromJson("{\"seed\": 3}", "plain").attentionKernel, "a hand-written config gets the default");
        RunConfig bad = ConfigJson.fromJson("{\"attentionKernel\": \"fast\"}", "x");
        ConfigException e = assertThrows(ConfigException.class, bad::validate);
        org.junit.jupiter.api.Assertions.assertTrue(
                e.getMessage().contains("attentionKernel: must be one of factored, direct, got 'fast'"), e.getMessage());
    }

    @Test
    void aRunsConfigFromBeforeDropoutMasksReplaysWithLibtorchsMasks() {
        String legacy = "{\"seed\": 7, \"provenance\": {\"runtime\": {\"intraOpThreads\": 1}}}";
        assertEquals("libtorch", ConfigJson.fromJson(legacy, "legacy").dropoutMasks, "shipped runs used libtorch's masks");
        String recorded = "{\"dropoutMasks\": \"kit\", \"provenance\": {\"runtime\": {}}}";
        assertEquals("kit", ConfigJson.fromJson(recorded, "new").dropoutMasks, "the recorded key wins");
        assertEquals(org.mecam.model.DropoutMasks.configDefault(), ConfigJson.fromJson("{\"seed\": 3}", "plain").dropoutMasks,
                "a hand-written config gets the default");
        RunConfig bad = ConfigJson.fromJson("{\"dropoutMasks\": \"fast\"}", "x");
        ConfigException e = assertThrows(ConfigException.class, bad::validate);
        org.junit.jupiter.api.Assertions.assertTrue(
                e.getMessage().contains("dropoutMasks: must be one of auto, kit, libtorch, got 'fast'"), e.getMessage());
        assertEquals("kit", org.mecam.model.DropoutMasks.resolve("auto", ai.djl.Device.cpu()));
        assertEquals("libtorch", org.mecam.model.DropoutMasks.resolve("auto", ai.djl.Device.gpu()));
        assertEquals("libtorch", org.mecam.model.DropoutMasks.resolve("libtorch", ai.djl.Device.cpu()));
    }
}

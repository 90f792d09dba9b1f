package org.mecam.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mecam.NDManagerExtension;
import org.mecam.TestSupport;
import org.mecam.config.RunConfig;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.batch.Batch;
import org.mecam.data.batch.BatchBuilder;
import org.mecam.data.synthetic.SyntheticGenerator;
import org.mecam.data.synthetic.SyntheticSpec;
import org.mecam.engine.NoGrad;
import org.mecam.objective.ActiveObjective;
import org.mecam.objective.Objective;
import org.mecam.objective.Stage;

/** The whole model under each switch: output shapes, every loss term, gradients under GC. */
@ExtendWith(NDManagerExtension.class)
class MecamModelTest {

    @NDManagerExtension.Managed
    static NDManager manager;
    static MultimodalDataset data;

    @BeforeAll
    static void start() {
        TestSupport.start();
        data = new SyntheticGenerator(SyntheticSpec.of(TestSupport.tiny())).generate();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "fusion=pooled",
        "fusion=concat",
        "bidirectional=true",
        "talkingHeads=false",
        "excludeSelf=true,positives=sign",
        "textEncoder=transformer",
        "modalities=ta",
        "modalities=av",
        "modalities=a",
        "alpha=0,beta=0",
        "fusion=late",
        "fusion=late,alpha=0,beta=0",
        "fusion=early,alpha=0,beta=0",
        "fusion=early,alpha=0,beta=0,modalities=av",
        "textMode=bert,bertSize=tiny",
        "textMode=bert,bertSize=tiny,freezeText=true"
    })
    void forwardShapesLossesAndGradients(String overrides) {
        RunConfig c = TestSupport.tiny(overrides.isEmpty() ? new String[0] : overrides.split(","));
        Engine.getInstance().setRandomSeed(11);
        MecamModel model = MecamModel.create(c.model(), data.info(), manager);
        ParameterStore ps = new ParameterStore(manager, false);
        boolean ids = c.textMode != org.mecam.config.TextMode.FEATURES;
        BatchBuilder builder = new BatchBuilder(data.train(), ids, null);
        int[] first = range(0, 16);
        int[] second = range(16, 32);
        try (ActiveObjective objective = Objective.standard().bind(model, c.training(), manager)) {
            try (Batch b = builder.build(manager, first); NoGrad ignored = NoGrad.enter()) {
                ActiveObjective.Computed out = objective.compute(Stage.MAIN, ps, b, model.forward(ps, b, true), true);
                assertEquals(new Shape(16), out.output().prediction().getShape());
                assertEquals(c.alpha > 0, out.value("contrastive") != null, "contrastive term present iff alpha > 0");
                assertEquals(c.beta > 0 && c.modalities.length() > 1, out.value("lld") != null, "lld present iff MI terms");
                assertNull(out.value("entropy"), "no entropy before the memory holds a batch");
            }
            TestSupport.checkGradientsUnderGc(model, manager, m -> {
                objective.reset(Stage.MAIN);
                try (NoGrad ignored = NoGrad.enter()) {
                    Batch f = builder.build(m, first);
                    objective.compute(Stage.MAIN, ps, f, model.forward(ps, f, true), true);
                }
                Batch b = builder.build(m, second); // closed with m, after backward
                ActiveObjective.Computed out = objective.compute(Stage.MAIN, ps, b, model.forward(ps, b, true), true);
                NDArray loss = out.value("task");
                for (String name : java.util.List.of("contrastive", "lld", "entropy")) {
                    NDArray term = out.value(name);
                    if (term != null) {
                        assertTrue(Float.isFinite(term.getFloat()));
                        loss = loss.add(term);
                    }
                }
                return loss;
            });
        }
        if (c.freezeText) {
            assertTrue(model.bertParameters().isEmpty(), "a frozen text encoder is not optimised");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"text-conflict:1", "audio-conflict:1", "vision-conflict:1"})
    void earlyFusionTakesModalitiesOfDifferentLengthsAfterAConflict(String perturbation) {
        RunConfig c = TestSupport.tiny("fusion=early", "alpha=0", "beta=0");
        Engine.getInstance().setRandomSeed(11);
        MecamModel model = MecamModel.create(c.model(), data.info(), manager);
        ParameterStore ps = new ParameterStore(manager, false);
        BatchBuilder builder = new BatchBuilder(data.test(), false,
                org.mecam.data.batch.Perturbations.test(org.mecam.data.batch.Perturbation.parseList(perturbation), 5, 1));
        boolean differ = false;
        for (int from = 0; from + 16 <= data.test().size(); from += 16) {
            try (Batch b = builder.build(manager, range(from, from + 16)); NoGrad ignored = NoGrad.enter()) {
                long lt = b.text.data().getShape().get(1);
                differ |= lt != b.audio.data().getShape().get(1) || lt != b.vision.data().getShape().get(1);
                float[] p = model.forward(ps, b, false).prediction().toFloatArray();
                assertEquals(16, p.length);
                for (float v : p) {
                    assertTrue(Float.isFinite(v));
                }
            }
        }
        assertTrue(differ, "a conflict makes some batch's modalities differ in length");
    }

    /**
     * Every registered fusion variant (a new one included, without editing this test): unique key,
     * its own constraints honoured, a prediction per sample from the batch and from the generic
     * block inputs alike.
     */
    @org.junit.jupiter.api.Test
    void everyRegisteredFusionVariantBuildsAndPredicts() {
        java.util.List<org.mecam.config.FusionKind> kinds = org.mecam.config.FusionKind.all();
        assertEquals(kinds.size(), kinds.stream().map(org.mecam.config.FusionKind::key).distinct().count(), "unique keys");
        assertTrue(kinds.size() >= 5, "attention, pooled, concat, late, early: " + org.mecam.config.FusionKind.keys());
        for (org.mecam.config.FusionKind kind : kinds) {
            assertTrue(kind instanceof FusionVariant, kind.key() + " is a model variant");
            RunConfig c = TestSupport.tiny("fusion=" + kind.key());
            if (!kind.check(c.model()).isEmpty()) {
                c.alpha = 0;
                c.beta = 0;
            }
            assertTrue(kind.check(c.model()).isEmpty(), kind.key() + ": " + kind.check(c.model()));
            c.validate();
            Engine.getInstance().setRandomSeed(3);
            MecamModel model = MecamModel.create(c.model(), data.info(), manager);
            try (Batch b = new BatchBuilder(data.test(), false, null).build(manager, range(0, 8));
                    NoGrad ignored = NoGrad.enter()) {
                MecamModel.Output out = model.forward(new ParameterStore(manager, false), b, false);
                assertEquals(new Shape(8), out.prediction().getShape(), kind.key());
                for (float p : out.prediction().toFloatArray()) {
                    assertTrue(Float.isFinite(p), kind.key());
                }
            }
        }
        RunConfig early = TestSupport.tiny("fusion=early");
        org.mecam.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.mecam.config.ConfigException.class, early::validate);
        assertTrue(e.getMessage().contains("--alpha 0 --beta 0"), e.getMessage());
        RunConfig unknown = TestSupport.tiny();
        unknown.fusion = "sum"; // set in code, past the parsers' check: validate names it
        e = org.junit.jupiter.api.Assertions.assertThrows(org.mecam.config.ConfigException.class, unknown::validate);
        assertTrue(e.getMessage().contains("fusion: unknown value 'sum' (expected one of attention, pooled, concat"),
                e.getMessage());
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = from; i < to; i++) {
            r[i - from] = i;
        }
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"attention", "pooled", "concat", "late"})
    void parameterGroupsPartitionTheModel(String fusion) {
        RunConfig c = TestSupport.tiny("fusion=" + fusion);
        MecamModel model = MecamModel.create(c.model(), data.info(), manager);
        int total = model.getParameters().size();
        int mmilbProjections = 2 * model.pairs().size();
        assertEquals(total, model.mainParameters().size() + model.mmilbParameters().size()
                + model.bertParameters().size() + mmilbProjections);
        assertNotNull(model.config());
    }
}

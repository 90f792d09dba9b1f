package org.mecam.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.NDManagerExtension;
import org.mecam.TestSupport;
import org.mecam.config.RunConfig;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.batch.Batch;
import org.mecam.data.batch.BatchBuilder;
import org.mecam.data.synthetic.SyntheticGenerator;
import org.mecam.data.synthetic.SyntheticSpec;
import org.mecam.train.Trainer;

/** A TorchScript text encoder (written by real PyTorch) loads with trainable parameters and is fine-tuned. */
@ExtendWith(NDManagerExtension.class)
class TorchScriptTextEncoderTest {

    @TempDir
    static Path tmp;

    @NDManagerExtension.Managed
    static NDManager manager;
    static Path file;

    @BeforeAll
    static void start() throws IOException {
        TestSupport.start();
        file = tmp.resolve("tiny-text-encoder.pt");
        try (InputStream in = TorchScriptTextEncoderTest.class.getResourceAsStream("/torchscript/tiny-text-encoder.pt")) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void loadsTrainsAndUpdatesItsWeights() {
        RunConfig c = TestSupport.tiny("textMode=torchscript", "torchscript=" + file, "lrBert=0.01");
        MultimodalDataset data = new SyntheticGenerator(SyntheticSpec.of(c)).generate();
        Engine.getInstance().setRandomSeed(2);
        MecamModel model = MecamModel.create(c.model(), data.info(), manager);
        List<Parameter> bert = model.bertParameters();
        assertEquals(7, bert.size(), "tok, pos, seg embeddings, LayerNorm weight/bias, mix weight/bias");
        List<float[]> before = new ArrayList<>();
        for (Parameter p : bert) {
            assertTrue(p.getArray().hasGradient(), "loaded with trainParam=true: " + p.getName());
            before.add(p.getArray().toFloatArray());
        }
        BatchBuilder builder = new BatchBuilder(data.train(), true, null);
        try (Trainer trainer = new Trainer(c.training(), model, data, manager, null, null)) {
            for (int i = 0; i < 3; i++) {
                try (Batch b = builder.build(manager, BatchBuilder.plan(data.train().size(), 16, null).get(i))) {
                    assertTrue(Double.isFinite(trainer.stage1Step(b, 1, i).total()));
                }
            }
        }
        for (int i = 0; i < bert.size(); i++) {
            assertFalse(java.util.Arrays.equals(before.get(i), bert.get(i).getArray().toFloatArray()),
                    "fine-tuned: " + bert.get(i).getName());
        }
        TestSupport.checkGradientsUnderGc(model, manager, m -> {
            Batch b = builder.build(m, new int[] {0, 1, 2, 3});
            // training mode: DJL runs TorchScript modules in inference mode otherwise, whose outputs autograd rejects
            ParameterStore ps = new ParameterStore(manager, false);
            MecamModel.Output out = model.forward(ps, b, true);
            NDArray loss = out.prediction().sub(b.labels).abs().mean();
            return loss.add(model.contrastive(ps, b, out.encoded(), true, new java.util.LinkedHashMap<>()));
        });
    }

    @Test
    void aFileThatIsNotTorchScriptNamesTheFile() throws IOException {
        Path bad = tmp.resolve("bad.pt");
        Files.writeString(bad, "not a model");
        RunConfig c = TestSupport.tiny("textMode=torchscript", "torchscript=" + bad);
        MultimodalDataset data = new SyntheticGenerator(SyntheticSpec.of(c)).generate();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> MecamModel.create(c.model(), data.info(), manager));
        assertTrue(e.getMessage().contains(bad.toString()));
    }
}

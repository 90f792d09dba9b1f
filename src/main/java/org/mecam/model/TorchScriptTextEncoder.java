package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.nio.file.Path;
import org.mecam.engine.NoGrad;

/**
 * A user's pretrained text encoder saved as TorchScript (e.g. a traced Hugging Face BERT),
 * loaded with trainable parameters and fine-tuned. Its {@code forward(input_ids,
 * attention_mask, token_type_ids)} must return token states [B, Lt, H], or a tuple whose first
 * element they are; t = T[:, 0].
 */
public final class TorchScriptTextEncoder extends AbstractBlock {

    private static final byte VERSION = 1;

    private final PtSymbolBlock module;
    private final int hidden;

    /**
     * Loads the module onto {@code manager}'s device and probes its width.
     *
     * @throws IllegalArgumentException naming the file if it does not load or gives no [B, L, H]
     */
    public TorchScriptTextEncoder(NDManager manager, Path file) {
        super(VERSION);
        try {
            JniUtils.setGraphExecutorOptimize(false);
            module = JniUtils.loadModule((PtNDManager) manager, file, true, new String[0], new String[0], true);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot load TorchScript text encoder " + file + ": " + e.getMessage(), e);
        }
        addChildBlock("module", module);
        hidden = probe(manager, file);
    }

    public int hidden() {
        return hidden;
    }

    private int probe(NDManager manager, Path file) {
        try (NDManager m = manager.newSubManager(); NoGrad ignored = NoGrad.enter()) {
            NDArray ids = m.ones(new Shape(1, 4), DataType.INT64);
            NDArray states = module.forward(new ParameterStore(m, false),
                    new NDList(ids, ids.onesLike(), ids.zerosLike()), false).head();
            Shape s = states.getShape();
            if (s.dimension() != 3 || s.get(0) != 1 || s.get(1) != 4) {
                throw new IllegalArgumentException("TorchScript text encoder " + file
                        + ": for input_ids of shape (1, 4) its first output has shape " + s + ", expected (1, 4, H)");
            }
            return (int) s.get(2);
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray ids = inputs.get(0); // (B, Lt)
        NDArray mask = inputs.get(1).toType(DataType.INT64, false); // (B, Lt)
        NDArray states = module.forward(ps, new NDList(ids, mask, ids.zerosLike()), training).head(); // (B, Lt, H)
        return new NDList(states, states.get(":, 0, :"));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return BertEncoder.tokenStateShapes(inputShapes, hidden);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // loaded with its weights
    }
}

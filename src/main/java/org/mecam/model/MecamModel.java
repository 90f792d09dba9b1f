package org.mecam.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mecam.config.ModelSettings;
import org.mecam.config.TextMode;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.batch.Batch;

/**
 * MECAM (METHOD.md, "Model"), wired from a {@link ModelSettings}: encoders for the modalities in use,
 * one contrastive filter per modality, MMILB for each modality pair, talking-heads cross-attention
 * from audio and vision to text (or the published pooled variant, or plain concatenation), and
 * the regression head.
 *
 * <p>The generic block inputs are the batch's sequences in the order text, text mask, text last
 * index, audio, audio mask, audio last, vision, vision mask, vision last; the output is the
 * prediction [B]. Training uses the typed {@link #forward(ParameterStore, Batch, Stage,
 * EntropyMemory, boolean)}.
 */
public final class MecamModel extends AbstractBlock {

    private static final byte VERSION = 1;

    /** What a forward pass computes. */
    public enum Stage {
        /** Stage 0: the MMILB lld only, on encoder outputs computed without gradient. */
        MMILB,
        /** Stage 1: prediction, contrastive loss, lld and entropy. */
        MAIN,
        /** Prediction only. */
        EVAL
    }

    /** The encoders' outputs; absent modalities are null. */
    public record Encoded(
            NDArray textStates, NDArray textVector, NDArray textMask,
            NDArray audioFrames, NDArray audioVector, NDArray audioMask,
            NDArray visionFrames, NDArray visionVector, NDArray visionMask) {

        /** @return the utterance vector of modality 't', 'a' or 'v' */
        public NDArray vector(char m) {
            return m == 't' ? textVector : m == 'a' ? audioVector : visionVector;
        }
    }

    /**
     * A forward pass's results; terms a stage does not compute are null.
     *
     * @param prediction [B]
     * @param nce k * (L_t + L_a + L_v) (scalar)
     * @param contrastive each modality's L_m
     * @param lld summed MMILB lld of the pairs (scalar)
     * @param entropy summed entropy H of the pairs with enough samples whose logdet was finite
     *     (scalar; a pair with a non-finite logdet adds 0 and no gradient), null when no pair had
     *     enough samples
     * @param entropyUsed how many pairs {@code entropy} sums (float32 scalar, on the device), or null
     * @param encoded the encoders' outputs
     * @param fused the head's input [B, D]
     * @param attention attention weights per modality ('a', 'v') when asked for
     */
    public record Output(
            NDArray prediction, NDArray nce, Map<Character, NDArray> contrastive, NDArray lld, NDArray entropy,
            NDArray entropyUsed, Encoded encoded, NDArray fused, Map<Character, NDArray> attention) {}

    private final ModelSettings config;
    private final MultimodalDataset.Info data;
    private final Block text;
    private final int textDim;
    private final SequenceEncoder audio;
    private final SequenceEncoder vision;
    private final Map<Character, IntraModalContrastiveLoss> contrast = new LinkedHashMap<>();
    private final Map<String, Mmilb> mmilb = new LinkedHashMap<>();
    private final FusionVariant variant;
    private final FusionStep fusion;

    private MecamModel(ModelSettings c, MultimodalDataset.Info data, NDManager manager) {
        super(VERSION);
        this.config = c;
        this.data = data;
        this.variant = FusionVariant.of(c.fusion());
        if (!variant.hasModalityEncoders()) {
            text = null;
            textDim = c.textDim();
            audio = null;
            vision = null;
            fusion = variant.build(new FusionContext(c, textDim, this::addChildBlock));
            return;
        }
        if (c.uses('t')) {
            Block encoder = textEncoder(c, data, manager);
            text = addChildBlock("text", encoder);
            textDim = encoder instanceof BertEncoder ? ((BertEncoder) encoder).hidden()
                    : encoder instanceof TorchScriptTextEncoder ? ((TorchScriptTextEncoder) encoder).hidden() : c.textDim();
        } else {
            text = null;
            textDim = 0;
        }
        audio = c.uses('a') ? addChildBlock("audio", SequenceEncoder.builder().hidden(c.audioHidden())
                .out(c.audioOut()).dropout(c.dropoutAudio()).build()) : null;
        vision = c.uses('v') ? addChildBlock("vision", SequenceEncoder.builder().hidden(c.visionHidden())
                .out(c.visionOut()).dropout(c.dropoutVision()).build()) : null;
        if (c.alpha() > 0) {
            for (char m : c.modalities().toCharArray()) {
                contrast.put(m, addChildBlock("contrast_" + m, IntraModalContrastiveLoss.create(c.contrastDim(), c.tau())));
            }
        }
        if (c.beta() > 0) {
            for (String pair : pairs(c)) {
                mmilb.put(pair, addChildBlock("mmilb_" + pair, Mmilb.create(width(pair.charAt(1)))));
            }
        }
        // the variant's blocks come last: the order fixes initialisation and checkpoint names
        fusion = variant.build(new FusionContext(c, textDim, this::addChildBlock));
    }

    /**
     * Builds and initialises the model: Xavier-normal for every non-BERT weight with >= 2
     * dimensions, N(0, 0.02) for BERT, zero biases, unit LayerNorm scales. Uses the engine's
     * random seed, which the caller sets.
     *
     * @param c the configuration
     * @param data shapes of the dataset
     * @param manager owns the parameters
     */
    public static MecamModel create(ModelSettings c, MultimodalDataset.Info data, NDManager manager) {
        MecamModel model = new MecamModel(c, data, manager);
        model.setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
                XavierInitializer.FactorType.AVG, 1), Parameter.Type.WEIGHT);
        model.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
        model.setInitializer(Initializer.ONES, Parameter.Type.GAMMA);
        model.setInitializer(Initializer.ZEROS, Parameter.Type.BETA);
        if (model.text instanceof BertEncoder) {
            model.text.setInitializer(new NormalInitializer(0.02f), Parameter.Type.WEIGHT);
        }
        model.initialize(manager, DataType.FLOAT32, model.exampleShapes());
        if (c.freezeText() && model.text != null) {
            for (Pair<String, Parameter> p : model.text.getParameters()) {
                p.getValue().getArray().setRequiresGradient(false);
            }
        }
        return model;
    }

    private static Block textEncoder(ModelSettings c, MultimodalDataset.Info data, NDManager manager) {
        switch (c.textMode()) {
            case FEATURES:
                return FeatureTextEncoder.builder().dim(c.textDim()).kind(c.textEncoder()).dropout(c.dropoutText()).build();
            case BERT:
                return BertEncoder.builder().size(c.bertSize()).vocabSize(Math.max(data.vocabSize(), 1))
                        .maxLength(Math.max(512, data.textLen())).build();
            case TORCHSCRIPT:
                return new TorchScriptTextEncoder(manager, Paths.get(c.torchscript()));
            default:
                throw new IllegalArgumentException("unknown text mode " + c.textMode());
        }
    }

    /** @return the MMILB pairs among the modalities in use: tv, ta, va (x first, y second) */
    public static List<String> pairs(ModelSettings c) {
        List<String> out = new ArrayList<>();
        for (String pair : new String[] {"tv", "ta", "va"}) {
            if (c.uses(pair.charAt(0)) && c.uses(pair.charAt(1))) {
                out.add(pair);
            }
        }
        return out;
    }

    private int width(char m) {
        return m == 't' ? textDim : m == 'a' ? config.audioOut() : config.visionOut();
    }

    public ModelSettings config() {
        return config;
    }

    /** @return whether the text encoder is BERT or TorchScript (its own learning rate) */
    public boolean hasPretrainedTextEncoder() {
        return text != null && config.textMode() != TextMode.FEATURES;
    }

    /**
     * @param m 't', 'a' or 'v'
     * @return the parameters of that modality's encoder (empty when the modality is not used or
     *     the model is early fusion, which has no per-modality encoder)
     */
    public List<Parameter> encoderParameters(char m) {
        Block block = m == 't' ? text : m == 'a' ? audio : m == 'v' ? vision : null;
        List<Parameter> out = new ArrayList<>();
        if (block != null) {
            block.getParameters().forEach(p -> out.add(p.getValue()));
        }
        return out;
    }

    /** @return whether the model has the contrastive filter (alpha > 0) */
    public boolean hasContrastiveFilter() {
        return !contrast.isEmpty();
    }

    /** @return parameters of the MMILB mu / log-variance estimators (their own optimizer, stage 0) */
    public List<Parameter> mmilbParameters() {
        List<Parameter> out = new ArrayList<>();
        for (Mmilb m : mmilb.values()) {
            out.addAll(m.estimatorParameters());
        }
        return out;
    }

    /** @return trainable parameters of the BERT or TorchScript text encoder (empty in feature mode or frozen) */
    public List<Parameter> bertParameters() {
        List<Parameter> out = new ArrayList<>();
        if (hasPretrainedTextEncoder() && !config.freezeText()) {
            text.getParameters().forEach(p -> out.add(p.getValue()));
        }
        return out;
    }

    /** @return every other trainable parameter (not MMILB's, whose entropy projections stay fixed) */
    public List<Parameter> mainParameters() {
        List<Parameter> excluded = new ArrayList<>();
        for (Mmilb m : mmilb.values()) {
            m.getParameters().forEach(p -> excluded.add(p.getValue()));
        }
        if (text != null && (hasPretrainedTextEncoder() || config.freezeText())) {
            text.getParameters().forEach(p -> excluded.add(p.getValue()));
        }
        List<Parameter> out = new ArrayList<>();
        for (Pair<String, Parameter> p : getParameters()) {
            if (!excluded.contains(p.getValue())) {
                out.add(p.getValue());
            }
        }
        return out;
    }

    /** Runs the encoders of the modalities in use. */
    public Encoded encode(ParameterStore ps, Batch batch, boolean training) {
        NDArray ts = null;
        NDArray tv = null;
        if (text != null) {
            NDList out = text.forward(ps, new NDList(batch.text.data(), batch.text.mask(), batch.text.last()), training);
            ts = out.get(0);
            tv = out.get(1);
        }
        NDArray af = null;
        NDArray av = null;
        if (audio != null) {
            NDList out = audio.forward(ps, new NDList(batch.audio.data(), batch.audio.last()), training);
            af = out.get(0);
            av = out.get(1);
        }
        NDArray vf = null;
        NDArray vv = null;
        if (vision != null) {
            NDList out = vision.forward(ps, new NDList(batch.vision.data(), batch.vision.last()), training);
            vf = out.get(0);
            vv = out.get(1);
        }
        return new Encoded(ts, tv, batch.text.mask(), af, av, batch.audio.mask(), vf, vv, batch.vision.mask());
    }

    /**
     * One forward pass.
     *
     * @param memory the entropy memory (stage 1), or null to skip the entropy term
     */
    public Output forward(ParameterStore ps, Batch batch, Stage stage, EntropyMemory memory, boolean training) {
        if (!variant.hasModalityEncoders()) {
            FusionStep.Fused f = fusion.forward(ps, batch, training);
            return new Output(f.prediction(), null, null, null, null, null, null, f.fused(), null);
        }
        Encoded enc = encode(ps, batch, training);
        if (stage == Stage.MMILB) {
            return new Output(null, null, null, lld(ps, enc, training), null, null, enc, null, null);
        }
        return main(ps, batch, enc, stage, memory, training, false);
    }

    /**
     * Prediction and losses from given encoder outputs.
     *
     * @param keepAttention also return the attention weights
     */
    public Output main(ParameterStore ps, Batch batch, Encoded enc, Stage stage, EntropyMemory memory,
            boolean training, boolean keepAttention) {
        Map<Character, NDArray> attention = keepAttention ? new LinkedHashMap<>() : null;
        FusionStep.Fused f = fusion.forward(ps, enc, training, attention);
        NDArray fused = f.fused();
        NDArray prediction = f.prediction();
        if (stage == Stage.EVAL) {
            return new Output(prediction, null, null, null, null, null, enc, fused, attention);
        }
        Map<Character, NDArray> perModality = new LinkedHashMap<>();
        NDArray nce = contrastive(ps, batch, enc, training, perModality);
        NDArray lld = mmilb.isEmpty() ? null : lld(ps, enc, training);
        EntropyTerm.Sum entropy = memory == null || mmilb.isEmpty() ? null : entropy(ps, batch, enc, memory, training);
        return new Output(prediction, nce, perModality, lld, entropy == null ? null : entropy.value(),
                entropy == null ? null : entropy.used(), enc, fused, attention);
    }

    private NDArray contrastive(ParameterStore ps, Batch batch, Encoded enc, boolean training,
            Map<Character, NDArray> perModality) {
        if (contrast.isEmpty()) {
            return null;
        }
        ContrastTargets targets = contrastTargets(batch);
        NDArray sum = null;
        for (Map.Entry<Character, IntraModalContrastiveLoss> e : contrast.entrySet()) {
            NDArray loss = e.getValue().loss(ps, enc.vector(e.getKey()), targets, training).head();
            perModality.put(e.getKey(), loss);
            sum = sum == null ? loss : sum.add(loss);
        }
        return sum.mul(Ops.scalar(sum, config.contrastScale()));
    }

    private ContrastTargets contrastTargets(Batch batch) {
        return batch.derived(ContrastTargets.class, b -> ContrastTargets.of(b.manager, b.labelValues,
                config.positives(), config.excludeSelf(), config.negWeight()));
    }

    /**
     * Copies to the device, ahead of a training step, the inputs that the step derives from the
     * batch's labels (the contrastive masks, the entropy term's sample indices), so that the
     * step itself copies nothing from the host. Calling it is optional: a step makes what is
     * missing.
     */
    public void prepare(Batch batch) {
        if (!contrast.isEmpty()) {
            contrastTargets(batch);
        }
        if (!mmilb.isEmpty()) {
            EntropyTerm.signs(batch);
        }
        fusion.prepare(batch);
    }

    /** @return the contrastive projection z of modality {@code m} [B, c], for figures */
    public NDArray contrastEmbedding(ParameterStore ps, char m, NDArray vector) {
        IntraModalContrastiveLoss block = contrast.get(m);
        return block == null ? null : block.embed(ps, vector, false);
    }

    /**
     * @return whether the model has MMILB estimators: {@code beta > 0} and at least two modalities
     *     (the pairs text-vision, text-audio, vision-audio that are present)
     */
    public boolean hasMutualInformation() {
        return !mmilb.isEmpty();
    }

    /** @return the summed lld of the MMILB pairs (scalar) */
    public NDArray lld(ParameterStore ps, Encoded enc, boolean training) {
        NDArray sum = null;
        for (Map.Entry<String, Mmilb> e : mmilb.entrySet()) {
            String pair = e.getKey();
            NDArray lld = e.getValue().forward(ps,
                    new NDList(enc.vector(pair.charAt(0)), enc.vector(pair.charAt(1))), training).head();
            sum = sum == null ? lld : sum.add(lld);
        }
        return sum;
    }

    /**
     * @return the summed entropy term of the MMILB pairs and how many pairs it sums, or null if
     *     no pair had enough samples ({@link EntropyTerm})
     */
    EntropyTerm.Sum entropy(ParameterStore ps, Batch batch, Encoded enc, EntropyMemory memory, boolean training) {
        return EntropyTerm.sum(ps, batch, enc, mmilb, memory, training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        if (!variant.hasModalityEncoders()) {
            throw new UnsupportedOperationException("fusion=" + variant.key() + ": use forward(ParameterStore, Batch, ...)");
        }
        Encoded enc = encodeList(ps, inputs, training);
        return new NDList(fusion.forward(ps, enc, training, null).prediction());
    }

    private Encoded encodeList(ParameterStore ps, NDList in, boolean training) {
        NDList t = text == null ? null : text.forward(ps, new NDList(in.get(0), in.get(1), in.get(2)), training);
        NDList a = audio == null ? null : audio.forward(ps, new NDList(in.get(3), in.get(5)), training);
        NDList v = vision == null ? null : vision.forward(ps, new NDList(in.get(6), in.get(8)), training);
        return new Encoded(t == null ? null : t.get(0), t == null ? null : t.get(1), in.get(1),
                a == null ? null : a.get(0), a == null ? null : a.get(1), in.get(4),
                v == null ? null : v.get(0), v == null ? null : v.get(1), in.get(7));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0))};
    }

    /** @return example input shapes (batch 2) in the generic input order */
    public Shape[] exampleShapes() {
        long b = 2;
        Shape textShape = config.textMode() == TextMode.FEATURES
                ? new Shape(b, data.textLen(), data.textFeatureDim()) : new Shape(b, data.textLen());
        return new Shape[] {
            textShape, new Shape(b, data.textLen()), new Shape(b),
            new Shape(b, data.audioLen(), data.audioDim()), new Shape(b, data.audioLen()), new Shape(b),
            new Shape(b, data.visionLen(), data.visionDim()), new Shape(b, data.visionLen()), new Shape(b)
        };
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
        long b = in[0].get(0);
        if (!variant.hasModalityEncoders()) {
            fusion.initialize(manager, dataType, in);
            return;
        }
        if (text != null) {
            text.initialize(manager, dataType, in[0], in[1], in[2]);
        }
        if (audio != null) {
            audio.initialize(manager, dataType, in[3], in[5]);
        }
        if (vision != null) {
            vision.initialize(manager, dataType, in[6], in[8]);
        }
        for (Map.Entry<Character, IntraModalContrastiveLoss> e : contrast.entrySet()) {
            e.getValue().initialize(manager, dataType, new Shape(b, width(e.getKey())));
        }
        for (Map.Entry<String, Mmilb> e : mmilb.entrySet()) {
            e.getValue().initialize(manager, dataType, new Shape(b, width(e.getKey().charAt(0))),
                    new Shape(b, width(e.getKey().charAt(1))));
        }
        fusion.initialize(manager, dataType, in);
    }
}

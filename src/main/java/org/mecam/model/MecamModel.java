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
import org.mecam.config.Modality;
import org.mecam.config.ModelSettings;
import org.mecam.config.TextMode;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.batch.Batch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MECAM (METHOD.md, "Model"), wired from a {@link ModelSettings}: encoders for the modalities in use,
 * one contrastive filter per modality, MMILB for each modality pair, talking-heads cross-attention
 * from audio and vision to text (or the published pooled variant, or plain concatenation), and
 * the regression head. A fusion variant without per-modality encoders (early fusion) gets none of
 * the encoders, filters and MMILB pairs.
 *
 * <p>The model computes predictions and the pieces of the loss terms ({@link #contrastive},
 * {@link #lld}, {@link #entropy}); which terms make the objective, with which weights, is {@code
 * org.mecam.objective}'s.
 *
 * <p>The generic block inputs are the batch's sequences in the order text, text mask, text last
 * index, audio, audio mask, audio last, vision, vision mask, vision last; the output is the
 * prediction [B]. Training uses the typed {@link #forward(ParameterStore, Batch, boolean)}.
 */
public final class MecamModel extends AbstractBlock {

    private static final byte VERSION = 1;

    /** The encoders' outputs; absent modalities are null. */
    public record Encoded(
            NDArray textStates, NDArray textVector, NDArray textMask,
            NDArray audioFrames, NDArray audioVector, NDArray audioMask,
            NDArray visionFrames, NDArray visionVector, NDArray visionMask) {

        /** @return the utterance vector of modality {@code m} */
        public NDArray vector(Modality m) {
            switch (m) {
                case TEXT:
                    return textVector;
                case AUDIO:
                    return audioVector;
                default:
                    return visionVector;
            }
        }
    }

    /**
     * A forward pass's results.
     *
     * @param prediction [B]
     * @param encoded the encoders' outputs (all null without per-modality encoders)
     * @param fused the head's input [B, D]
     * @param attention attention weights per modality (audio, vision) when asked for, else null
     */
    public record Output(NDArray prediction, Encoded encoded, NDArray fused, Map<Modality, NDArray> attention) {}

    private static final Logger LOG = LoggerFactory.getLogger(MecamModel.class);

    private final ModelSettings config;
    private final MultimodalDataset.Info data;
    private final Block text;
    /** the Hugging Face BERT whose weights the text encoder takes, or null */
    private final PretrainedBert pretrained;
    private final int textDim;
    private final SequenceEncoder audio;
    private final SequenceEncoder vision;
    private final Map<Modality, IntraModalContrastiveLoss> contrast = new LinkedHashMap<>();
    private final Map<ModalityPair, Mmilb> mmilb = new LinkedHashMap<>();
    private final FusionStep fusion;
    private final DropoutMasks dropoutMasks = new DropoutMasks();

    private MecamModel(ModelSettings c, MultimodalDataset.Info data, NDManager manager) {
        super(VERSION);
        this.config = c;
        this.data = data;
        FusionVariant variant = FusionVariant.of(c.fusion());
        boolean encoders = variant.hasModalityEncoders();
        pretrained = encoders && c.uses(Modality.TEXT) && c.textMode() == TextMode.BERT && !c.pretrained().isEmpty()
                ? PretrainedBert.open(Paths.get(c.pretrained())) : null;
        if (encoders && c.uses(Modality.TEXT)) {
            Block encoder = textEncoder(c, data, manager, pretrained);
            text = addChildBlock("text", encoder);
            textDim = encoder instanceof BertEncoder ? ((BertEncoder) encoder).hidden()
                    : encoder instanceof TorchScriptTextEncoder ? ((TorchScriptTextEncoder) encoder).hidden() : c.textDim();
        } else {
            text = null;
            textDim = encoders ? 0 : c.textDim();
        }
        audio = encoders && c.uses(Modality.AUDIO) ? addChildBlock("audio", SequenceEncoder.builder()
                .hidden(c.audioHidden()).out(c.audioOut()).dropout(c.dropoutAudio()).build()) : null;
        vision = encoders && c.uses(Modality.VISION) ? addChildBlock("vision", SequenceEncoder.builder()
                .hidden(c.visionHidden()).out(c.visionOut()).dropout(c.dropoutVision()).build()) : null;
        if (encoders && c.alpha() > 0) {
            for (Modality m : c.modalityList()) {
                contrast.put(m, addChildBlock("contrast_" + m.code(),
                        IntraModalContrastiveLoss.create(c.contrastDim(), c.tau())));
            }
        }
        if (encoders && c.beta() > 0) {
            for (ModalityPair pair : ModalityPair.of(c)) {
                mmilb.put(pair, addChildBlock("mmilb_" + pair.key(), Mmilb.create(width(pair.y()))));
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
        MaskedDropout.bind(model, model.dropoutMasks);
        model.initialize(manager, DataType.FLOAT32, model.exampleShapes());
        if (model.pretrained != null) {
            ((BertEncoder) model.text).load(model.pretrained);
        }
        if (c.freezeText() && model.text != null) {
            for (Pair<String, Parameter> p : model.text.getParameters()) {
                p.getValue().getArray().setRequiresGradient(false);
            }
        }
        return model;
    }

    /**
     * Computes every talking-heads cross-attention of this model with {@code mode} (an
     * {@link AttentionKernel} mode; {@code direct} until a run says otherwise).
     *
     * @return this model
     */
    public MecamModel attentionKernel(String mode) {
        AttentionKernel.bind(this, AttentionKernel.check(mode));
        return this;
    }

    /** @return where this model's dropout masks come from ({@code libtorch} until a run says otherwise) */
    public DropoutMasks dropoutMasks() {
        return dropoutMasks;
    }

    private static Block textEncoder(ModelSettings c, MultimodalDataset.Info data, NDManager manager,
            PretrainedBert pretrained) {
        switch (c.textMode()) {
            case FEATURES:
                return FeatureTextEncoder.builder().dim(c.textDim()).kind(c.textEncoder()).dropout(c.dropoutText()).build();
            case BERT:
                if (pretrained != null) {
                    LOG.info("text encoder: the pretrained BERT of {} ({}; its sizes replace --bert-size)",
                            pretrained.dir(), pretrained.sizes().toMap());
                    return pretrained.configure(Math.max(data.vocabSize(), 1), data.textLen()).build();
                }
                return BertEncoder.builder().size(c.bertSize()).vocabSize(Math.max(data.vocabSize(), 1))
                        .maxLength(Math.max(512, data.textLen())).build();
            case TORCHSCRIPT:
                return new TorchScriptTextEncoder(manager, Paths.get(c.torchscript()));
            default:
                throw new IllegalArgumentException("unknown text mode " + c.textMode());
        }
    }

    private int width(Modality m) {
        return m == Modality.TEXT ? textDim : m == Modality.AUDIO ? config.audioOut() : config.visionOut();
    }

    /** @return the settings the model was built from */
    public ModelSettings config() {
        return config;
    }

    /** @return whether the text encoder is BERT or TorchScript (its own learning rate) */
    public boolean hasPretrainedTextEncoder() {
        return text != null && config.textMode() != TextMode.FEATURES;
    }

    /**
     * @return the parameters of modality {@code m}'s encoder (empty when the modality is not used
     *     or the model is early fusion, which has no per-modality encoder)
     */
    public List<Parameter> encoderParameters(Modality m) {
        Block block = m == Modality.TEXT ? text : m == Modality.AUDIO ? audio : vision;
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
        NDList t = text == null ? null
                : text.forward(ps, new NDList(batch.text.data(), batch.text.mask(), batch.text.last()), training);
        NDList a = audio == null ? null : audio.forward(ps, new NDList(batch.audio.data(), batch.audio.last()), training);
        NDList v = vision == null ? null
                : vision.forward(ps, new NDList(batch.vision.data(), batch.vision.last()), training);
        return encoded(t, batch.text.mask(), a, batch.audio.mask(), v, batch.vision.mask());
    }

    private static Encoded encoded(NDList t, NDArray tMask, NDList a, NDArray aMask, NDList v, NDArray vMask) {
        return new Encoded(t == null ? null : t.get(0), t == null ? null : t.get(1), tMask,
                a == null ? null : a.get(0), a == null ? null : a.get(1), aMask,
                v == null ? null : v.get(0), v == null ? null : v.get(1), vMask);
    }

    /** The forward pass: encoders, fusion, head (without attention weights). */
    public Output forward(ParameterStore ps, Batch batch, boolean training) {
        return fuse(ps, batch, encode(ps, batch, training), training, false);
    }

    /**
     * Fusion and head from given encoder outputs.
     *
     * @param keepAttention also return the attention weights
     */
    public Output fuse(ParameterStore ps, Batch batch, Encoded enc, boolean training, boolean keepAttention) {
        Map<Modality, NDArray> attention = keepAttention ? new LinkedHashMap<>() : null;
        FusionStep.Fused f = fusion.forward(ps, batch, enc, training, attention);
        return new Output(f.prediction(), enc, f.fused(), attention);
    }

    /**
     * The contrastive filter's loss, nce = k (L_t + L_a + L_v).
     *
     * @param perModality receives each modality's L_m
     * @return nce (scalar), or null without the filter
     */
    public NDArray contrastive(ParameterStore ps, Batch batch, Encoded enc, boolean training,
            Map<Modality, NDArray> perModality) {
        if (contrast.isEmpty()) {
            return null;
        }
        ContrastTargets targets = contrastTargets(batch);
        NDArray sum = null;
        for (Map.Entry<Modality, IntraModalContrastiveLoss> e : contrast.entrySet()) {
            NDArray loss = e.getValue().loss(ps, enc.vector(e.getKey()), targets, training).head();
            perModality.put(e.getKey(), loss);
            sum = sum == null ? loss : sum.add(loss);
        }
        return sum.mul(Ops.scalar(sum, config.contrastScale()));
    }

    /** @return the contrastive targets of a batch (positives, self, negatives), made once per batch */
    public ContrastTargets contrastTargets(Batch batch) {
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

    /** @return the contrastive projection z of modality {@code m} [B, c], for figures, or null without the filter */
    public NDArray contrastEmbedding(ParameterStore ps, Modality m, NDArray vector) {
        IntraModalContrastiveLoss block = contrast.get(m);
        return block == null ? null : block.embed(ps, vector, false);
    }

    /** @return the contrastive filter of modality {@code m}, or null when the model has none for it */
    public IntraModalContrastiveLoss contrastFilter(Modality m) {
        return contrast.get(m);
    }

    /** @return the MMILB estimator of {@code pair}, or null when the model has none for it */
    public Mmilb mmilb(ModalityPair pair) {
        return mmilb.get(pair);
    }

    /**
     * @return whether the model has MMILB estimators: {@code beta > 0} and at least two modalities
     *     (the pairs text-vision, text-audio, vision-audio that are present)
     */
    public boolean hasMutualInformation() {
        return !mmilb.isEmpty();
    }

    /** @return the MMILB pairs, in the published order */
    public List<ModalityPair> pairs() {
        return new ArrayList<>(mmilb.keySet());
    }

    /** @return the summed lld of the MMILB pairs (scalar), or null without them */
    public NDArray lld(ParameterStore ps, Encoded enc, boolean training) {
        NDArray sum = null;
        for (Map.Entry<ModalityPair, Mmilb> e : mmilb.entrySet()) {
            ModalityPair pair = e.getKey();
            NDArray lld = e.getValue().forward(ps, new NDList(enc.vector(pair.x()), enc.vector(pair.y())), training)
                    .head();
            sum = sum == null ? lld : sum.add(lld);
        }
        return sum;
    }

    /**
     * @return the summed entropy term of the MMILB pairs and how many pairs it sums, or null if
     *     there are no pairs or no pair had enough samples ({@link EntropyTerm})
     */
    public EntropyTerm.Sum entropy(ParameterStore ps, Batch batch, Encoded enc, EntropyMemory memory,
            boolean training) {
        return mmilb.isEmpty() ? null : EntropyTerm.sum(ps, batch, enc, mmilb, memory, training);
    }

    /**
     * The entropy term of one MMILB pair alone (as {@link #entropy} computes it for that pair: the
     * memory keeps each pair's projections apart), for checks of one pair's value.
     *
     * @return the pair's H and whether it was used, or null if the model has no such pair or a side
     *     had too few samples
     */
    public EntropyTerm.Sum entropy(ParameterStore ps, Batch batch, Encoded enc, EntropyMemory memory,
            boolean training, ModalityPair pair) {
        Mmilb block = mmilb.get(pair);
        return block == null ? null : EntropyTerm.sum(ps, batch, enc, Map.of(pair, block), memory, training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training,
            PairList<String, Object> params) {
        NDList t = text == null ? null : text.forward(ps, new NDList(in.get(0), in.get(1), in.get(2)), training);
        NDList a = audio == null ? null : audio.forward(ps, new NDList(in.get(3), in.get(5)), training);
        NDList v = vision == null ? null : vision.forward(ps, new NDList(in.get(6), in.get(8)), training);
        Encoded enc = encoded(t, in.get(1), a, in.get(4), v, in.get(7));
        return new NDList(fusion.forward(ps, null, enc, training, null).prediction());
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
        if (text != null) {
            text.initialize(manager, dataType, in[0], in[1], in[2]);
        }
        if (audio != null) {
            audio.initialize(manager, dataType, in[3], in[5]);
        }
        if (vision != null) {
            vision.initialize(manager, dataType, in[6], in[8]);
        }
        for (Map.Entry<Modality, IntraModalContrastiveLoss> e : contrast.entrySet()) {
            e.getValue().initialize(manager, dataType, new Shape(b, width(e.getKey())));
        }
        for (Map.Entry<ModalityPair, Mmilb> e : mmilb.entrySet()) {
            e.getValue().initialize(manager, dataType, new Shape(b, width(e.getKey().x())),
                    new Shape(b, width(e.getKey().y())));
        }
        fusion.initialize(manager, dataType, in);
    }
}

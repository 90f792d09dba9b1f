package org.mecam.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Every value a run depends on. Defaults are the paper's CMU-MOSI settings (docs/METHOD.md, "Head, loss and training") on
 * the synthetic {@code mosi} preset with text in feature mode.
 *
 * <p>Each public field is a key of {@code config.json} and a command-line option (the field name
 * in kebab case: {@code lrMain} is {@code --lr-main}).
 */
public final class RunConfig {

    // ---- run
    @Doc(value = "random seed of model initialisation, dropout and batch order", group = "run")
    public long seed = 1111;

    @Doc(value = "auto (first GPU if any), cpu or gpu", group = "run")
    public String device = "auto";

    @Doc(value = "intra-op threads of libtorch; 0 = 1 on machines with <= 4 cores (2 were no faster on 2 cores:"
            + " docs/bench), else half the cores; a run's config.json records the count it used, and a replay uses it",
            group = "run")
    public int threads = 0;

    @Doc(value = "which of MKL's kernels the CPU's matrix products run on: avx512 (on an AMD CPU with AVX-512,"
            + " MKL's Intel AVX-512 kernels, a training step x0.72 here; elsewhere MKL's own choice) or vendor (MKL's"
            + " own choice, as runs before 2026-12-04); they differ in the last bits, so a replayed config.json"
            + " without this key uses vendor, and one process runs one mode; MECAM_MKL_KERNELS sets the default",
            group = "run")
    public String mklKernels = org.mecam.engine.MklKernels.configDefault();

    @Doc(value = "where dropout masks come from: kit (a counter-based stream keyed by the seed, made ahead on a"
            + " spare core; a training step x0.81 on the unaligned shapes here), libtorch (libtorch's bernoulli_, as"
            + " every run made before this key, 2026-12-04) or auto (kit on the CPU, libtorch on a GPU); a run records"
            + " the mode it resolved, a replayed config.json without this key uses libtorch; MECAM_DROPOUT_MASKS sets"
            + " the default",
            group = "run")
    public String dropoutMasks = org.mecam.model.DropoutMasks.configDefault();

    @Doc(value = "how the talking-heads cross-attention is computed: factored (the same products reassociated so"
            + " that the [B, heads, frames, tokens] weights meet no head-width product) or direct (op by op, as every"
            + " run made before this key, 2026-12-04); they differ in the last bits, so a replayed config.json"
            + " without this key uses direct; MECAM_ATTENTION_KERNEL sets the default",
            group = "run")
    public String attentionKernel = org.mecam.model.AttentionKernel.configDefault();

    @Doc(value = "which of oneDNN's LSTM kernels the bundled libtorch runs (its inference kernel is wrong on"
            + " AVX-512): training (every LSTM through the training kernel, those without autograd detached; a main-job epoch x0.90 here, docs/bench)"
            + " or capped (oneDNN capped at AVX2, as every run made before this key, 2026-12-05); they differ in the"
            + " last bits, so a replayed config.json without this key uses capped, and one process runs one mode;"
            + " MECAM_LSTM_KERNEL sets the default",
            group = "run")
    public String lstmKernel = org.mecam.engine.LstmKernel.configDefault();

    @Doc(value = "results root; each run writes <results>/<run-id>/", group = "run")
    public String results = "results";

    @Doc(value = "optional label put into the run id", group = "run")
    public String name = "";

    // ---- data
    @Doc(value = "the dataset format, one of the registered ones (DatasetFormat): synthetic, mmsa or mult", group = "data")
    public String dataset = "synthetic";

    @Doc(value = "synthetic shapes: mosi, mosi-unaligned, tiny, or complementary (the benchmark whose modalities"
            + " complement each other; METHOD.md, Data)", group = "data")
    public Preset preset = Preset.MOSI;

    @Doc(value = "dataset file (mmsa: aligned_50.pkl/unaligned_50.pkl, mult: *_data_noalign.pkl)", group = "data")
    public String path = "";

    @Doc(value = "label CSV for --dataset mult (video_id, clip_id, text, label, ...)", group = "data")
    public String labels = "";

    @Doc(value = "WordPiece vocab.txt: with --dataset mult, tokenises the CSV text for BERT mode", group = "data")
    public String vocab = "";

    @Doc(value = "seed of the synthetic data (fixed across model seeds unless a grid sets seed_draws_data)", group = "data")
    public long dataSeed = 7;

    @Doc(value = "synthetic training samples; 0 = preset default", group = "data")
    public int trainSize = 0;

    @Doc(value = "synthetic validation samples; 0 = preset default", group = "data")
    public int validSize = 0;

    @Doc(value = "synthetic test samples; 0 = preset default", group = "data")
    public int testSize = 0;

    @Doc(value = "fraction of synthetic samples that carry negative information", group = "data")
    public double negativeFraction = 0.3;

    @Doc(value = "preset complementary: the share of negative samples whose negative information is undetectable"
            + " inside its modality (a conflicting modality); the rest is detectable (noise bursts, garbled tokens)",
            group = "data")
    public double undetectableShare = 0.5;

    @Doc(value = "the oracle: zero the modality each sample's recorded negative information hits, in every split"
            + " (training and test; synthetic data only), so that the model never sees it", group = "data")
    public boolean maskNegative = false;

    @Doc(value = "use at most this many samples of each split (0 = all); for smoke runs", group = "data")
    public int datasetLimit = 0;

    // ---- model
    @Doc(value = "mecam (the neural model), tribuo-linear or tribuo-forest (baselines on mean-pooled features)", group = "model")
    public String method = "mecam";

    @Doc(value = "features, bert or torchscript", group = "model")
    @DataField
    public TextMode textMode = TextMode.FEATURES;

    @Doc(value = "feature-mode text encoder: lstm or transformer", group = "model")
    public TextEncoderKind textEncoder = TextEncoderKind.LSTM;

    @Doc(value = "feature-mode width of the text states T and t", group = "model")
    public int textDim = 128;

    @Doc(value = "BERT size in bert mode, randomly initialised: base, small, mini or tiny (--pretrained takes its"
            + " sizes from the folder instead)", group = "model")
    public BertSize bertSize = BertSize.BASE;

    @Doc(value = "TorchScript text encoder (ids, mask, segments -> token states) for textMode=torchscript", group = "model")
    public String torchscript = "";

    @Doc(value = "textMode=bert from a Hugging Face BERT folder (config.json, model.safetensors, tokenizer.json or"
            + " vocab.txt; e.g. bert-base-uncased's snapshot in the local HF cache): its weights and sizes, and its"
            + " tokenizer for CSV transcripts", group = "model")
    public String pretrained = "";

    @Doc(value = "freeze the text encoder (no gradient, not optimised)", group = "model")
    public boolean freezeText = false;

    @Doc(value = "modalities used: any of t, a, v (e.g. tav, ta, a)", group = "model")
    public String modalities = "tav";

    @Doc(value = "audio LSTM hidden size d_ah", group = "model")
    public int audioHidden = 16;

    @Doc(value = "vision LSTM hidden size d_vh", group = "model")
    public int visionHidden = 16;

    @Doc(value = "audio output size d_aout", group = "model")
    public int audioOut = 16;

    @Doc(value = "vision output size d_vout", group = "model")
    public int visionOut = 32;

    @Doc(value = "dropout of the text encoder", group = "model")
    public double dropoutText = 0.1;

    @Doc(value = "dropout before the audio encoder's output layer", group = "model")
    public double dropoutAudio = 0.1;

    @Doc(value = "dropout before the vision encoder's output layer", group = "model")
    public double dropoutVision = 0.1;

    @Doc(value = "dropout before the regression head", group = "model")
    public double dropoutPrj = 0.1;

    @Doc(value = "hidden width of the regression head (d_prjh)", group = "model")
    public int projHidden = 128;

    @Doc(value = "shared dimension of the contrastive projections W_m", group = "model")
    public int contrastDim = 64;

    @Doc(value = "contrastive temperature tau", group = "model")
    public double tau = 0.03;

    @Doc(value = "weight w of the appended negative logits", group = "model")
    public double negWeight = 0.8;

    @Doc(value = "scale k of the summed contrastive losses", group = "model")
    public double contrastScale = 0.2;

    @Doc(value = "positive pairs: exact, sign or class7", group = "model")
    public Positives positives = Positives.CLASS7;

    @Doc(value = "drop each sample's own entries from both blocks of the contrastive loss (supervised-contrastive form;"
            + " false keeps them, as the published form does (which also has positives exact): the loss is then close"
            + " to 0 and its gradient orders of magnitude below the acting form's, METHOD.md)", group = "model")
    public boolean excludeSelf = true;

    @Doc(value = "how the modalities are fused: one of the registered variants (FusionKind; METHOD.md describes"
            + " each): attention, pooled, concat; baselines late and early", group = "model")
    public String fusion = "attention";

    @Doc(value = "attention heads h", group = "model")
    public int heads = 8;

    @Doc(value = "attention head dimension", group = "model")
    public int headDim = 64;

    @Doc(value = "mix attention heads before and after the softmax (talking heads)", group = "model")
    public boolean talkingHeads = true;

    @Doc(value = "also let text attend to audio and vision (column softmax), added to t", group = "model")
    public boolean bidirectional = false;

    @Doc(value = "dropout on the attention weights", group = "model")
    public double attnDropout = 0.1;

    // ---- training
    @Doc(value = "maximum epochs", group = "training")
    public int epochs = 40;

    @Doc(value = "batch size", group = "training")
    public int batchSize = 32;

    @Doc(value = "learning rate of the main parameters (paper table: 5e-4)", group = "training")
    public double lrMain = 1e-3;

    @Doc(value = "learning rate of the BERT / TorchScript text encoder", group = "training")
    public double lrBert = 5e-5;

    @Doc(value = "learning rate of the MMILB estimators (stage 0)", group = "training")
    public double lrMmilb = 1e-3;

    @Doc(value = "weight decay of the main parameters", group = "training")
    public double weightDecayMain = 1e-4;

    @Doc(value = "weight decay of the BERT / TorchScript text encoder", group = "training")
    public double weightDecayBert = 1e-4;

    @Doc(value = "weight decay of the MMILB estimators", group = "training")
    public double weightDecayMmilb = 1e-4;

    @Doc(value = "weight of the contrastive loss (0 = no contrastive filter); 0.2 chosen on the validation split by"
            + " the grid alpha-sweep-mosi for the default form (excludeSelf); the paper's MOSI value is also 0.2",
            group = "training")
    public double alpha = 0.2;

    @Doc(value = "weight of the MI terms lld and H (0 = no MI terms and no stage 0)", group = "training")
    public double beta = 0.05;

    @Doc(value = "global gradient-norm clipping threshold", group = "training")
    public double clip = 1.0;

    @Doc(value = "epochs without validation improvement before the learning rate is reduced", group = "training")
    public int plateauPatience = 20;

    @Doc(value = "factor of the learning-rate reduction", group = "training")
    public double plateauFactor = 0.5;

    @Doc(value = "epochs without validation improvement before training stops", group = "training")
    public int patience = 10;

    @Doc(value = "measure each loss term's gradient norm on each encoder and the class separation of the"
            + " representations on the validation split (epochs.csv, loss-effects.png; METHOD.md)", group = "training")
    public boolean diagnostics = true;

    @Doc(value = "measure the diagnostics at epoch 1, at each epoch that becomes the selected one and every N-th epoch"
            + " (1 = every epoch); they change no result", group = "training")
    public int diagnosticsEvery = 5;

    @Doc(value = "write the run's training log for TensorBoard into <run>/tensorboard (tensorboard --logdir results)",
            group = "training")
    public boolean tensorboard = true;

    @Doc(value = "model selection: validation or test-leaky (published, leaks the test set)", group = "training")
    public Selection selection = Selection.VALIDATION;

    @Doc(value = "training-time augmentation, applied to every training sample: e.g. audio-drop:0.3,text-shuffle:0.2 (empty = none)", group = "training")
    public String augment = "";

    /** @return the fields that are configuration values, in declaration order */
    public static List<Field> fields() {
        List<Field> out = new ArrayList<>();
        for (Field f : RunConfig.class.getDeclaredFields()) {
            if (Modifier.isPublic(f.getModifiers()) && !Modifier.isStatic(f.getModifiers())) {
                out.add(f);
            }
        }
        return out;
    }

    /**
     * @return the keys a registry allows for a String field ({@code fusion}: {@link FusionKind},
     *     {@code dataset}: {@link DatasetFormat}, {@code method}: {@link MethodKind}), or null for a
     *     free-text field
     */
    public static List<String> registeredKeys(String field) {
        return switch (field) {
            case "fusion" -> FusionKind.all().stream().map(FusionKind::key).toList();
            case "dataset" -> DatasetFormat.all().stream().map(DatasetFormat::key).toList();
            case "method" -> MethodKind.all().stream().map(MethodKind::key).toList();
            default -> null;
        };
    }

    /** @return what the model is built from (the only place these values are picked out) */
    public ModelSettings model() {
        return new ModelSettings(modalities, textMode, textEncoder, textDim, bertSize, torchscript, pretrained, freezeText,
                audioHidden, visionHidden, audioOut, visionOut, dropoutText, dropoutAudio, dropoutVision, dropoutPrj,
                projHidden, contrastDim, tau, negWeight, contrastScale, positives, excludeSelf, fusion, heads, headDim,
                talkingHeads, bidirectional, attnDropout, alpha, beta);
    }

    /** @return what training runs with (the only place these values are picked out) */
    public TrainSettings training() {
        return new TrainSettings(textMode, modalities, epochs, batchSize, lrMain, lrBert, lrMmilb, weightDecayMain,
                weightDecayBert, weightDecayMmilb, alpha, beta, clip, plateauPatience, plateauFactor, patience,
                diagnostics, diagnosticsEvery, selection, seed);
    }

    /**
     * @return the fusion variant named by {@link #fusion}
     * @throws ConfigException when no variant has that key
     */
    public FusionKind fusionKind() {
        return FusionKind.of(fusion);
    }

    /** @return the method named by {@link #method} */
    public MethodKind methodKind() {
        return MethodKind.of(method);
    }

    /** @return whether the run uses modality {@code m} */
    public boolean uses(Modality m) {
        return modalities.indexOf(m.code()) >= 0;
    }

    /** @return a deep copy */
    public RunConfig copy() {
        return ConfigJson.fromJson(ConfigJson.toJson(this), "copy");
    }

    /**
     * Checks every value; throws one exception listing all problems, each naming its key.
     *
     * @throws ConfigException if any value is invalid
     */
    public void validate() {
        List<String> errors = new ArrayList<>();
        requirePositive(errors, "epochs", epochs);
        if (batchSize < 2) {
            errors.add("batchSize: must be at least 2 (the contrastive loss compares samples), got " + batchSize);
        }
        requireNonNegative(errors, "lrMain", lrMain);
        requireNonNegative(errors, "lrBert", lrBert);
        requireNonNegative(errors, "lrMmilb", lrMmilb);
        requireNonNegative(errors, "weightDecayMain", weightDecayMain);
        requireNonNegative(errors, "weightDecayBert", weightDecayBert);
        requireNonNegative(errors, "weightDecayMmilb", weightDecayMmilb);
        requireNonNegative(errors, "alpha", alpha);
        requireNonNegative(errors, "beta", beta);
        if (!(clip > 0)) {
            errors.add("clip: must be > 0, got " + clip);
        }
        if (!(tau > 0)) {
            errors.add("tau: must be > 0, got " + tau);
        }
        if (!(negativeFraction >= 0 && negativeFraction <= 1)) {
            errors.add("negativeFraction: must be in [0, 1], got " + negativeFraction);
        }
        if (!(undetectableShare >= 0 && undetectableShare <= 1)) {
            errors.add("undetectableShare: must be in [0, 1], got " + undetectableShare);
        }
        requireFraction(errors, "dropoutText", dropoutText);
        requireFraction(errors, "dropoutAudio", dropoutAudio);
        requireFraction(errors, "dropoutVision", dropoutVision);
        requireFraction(errors, "dropoutPrj", dropoutPrj);
        requireFraction(errors, "attnDropout", attnDropout);
        if (!(plateauFactor > 0 && plateauFactor < 1)) {
            errors.add("plateauFactor: must be in (0, 1), got " + plateauFactor);
        }
        requirePositive(errors, "patience", patience);
        requirePositive(errors, "diagnosticsEvery", diagnosticsEvery);
        requirePositive(errors, "plateauPatience", plateauPatience);
        for (String key : new String[] {"textDim", "audioHidden", "visionHidden", "audioOut",
                "visionOut", "projHidden", "contrastDim", "heads", "headDim"}) {
            requirePositive(errors, key, intField(key));
        }
        requireChoice(errors, "mklKernels", mklKernels, org.mecam.engine.MklKernels.MODES,
                org.mecam.engine.MklKernels.configDefault(), "MECAM_MKL_KERNELS");
        requireChoice(errors, "dropoutMasks", dropoutMasks, org.mecam.model.DropoutMasks.MODES,
                org.mecam.model.DropoutMasks.configDefault(), "MECAM_DROPOUT_MASKS");
        requireChoice(errors, "attentionKernel", attentionKernel, org.mecam.model.AttentionKernel.MODES,
                org.mecam.model.AttentionKernel.configDefault(), "MECAM_ATTENTION_KERNEL");
        requireChoice(errors, "lstmKernel", lstmKernel, org.mecam.engine.LstmKernel.MODES,
                org.mecam.engine.LstmKernel.configDefault(), "MECAM_LSTM_KERNEL");
        for (String key : new String[] {"trainSize", "validSize", "testSize", "datasetLimit", "threads"}) {
            if (intField(key) < 0) {
                errors.add(key + ": must be >= 0, got " + intField(key));
            }
        }
        if (modalities.isEmpty() || !modalities.matches("[tav]+") || modalities.chars().distinct().count() != modalities.length()) {
            errors.add("modalities: must be a non-empty set of the letters t, a, v; got '" + modalities + "'");
        }
        if (!device.equals("auto") && !device.equals("cpu") && !device.equals("gpu")) {
            errors.add("device: must be auto, cpu or gpu; got '" + device + "'");
        }
        try {
            errors.addAll(fusionKind().check(model()));
        } catch (ConfigException e) {
            errors.add(e.getMessage());
        }
        try {
            errors.addAll(methodKind().check(this));
        } catch (ConfigException e) {
            errors.add(e.getMessage());
        }
        checkFiles(errors);
        if (!errors.isEmpty()) {
            throw new ConfigException("invalid configuration: " + String.join("; ", errors));
        }
    }

    private void checkFiles(List<String> errors) {
        try {
            errors.addAll(DatasetFormat.of(dataset).check(this));
        } catch (ConfigException e) {
            errors.add(e.getMessage());
        }
        if (!vocab.isEmpty()) {
            requireFile(errors, "vocab", vocab, "");
        }
        if (textMode == TextMode.TORCHSCRIPT) {
            requireFile(errors, "torchscript", torchscript, "textMode=torchscript needs --torchscript FILE.pt");
        }
        if (!pretrained.isEmpty()) {
            if (textMode != TextMode.BERT) {
                errors.add("pretrained: a BERT folder is for textMode=bert, got textMode=" + textMode.key());
            } else if (!Files.isDirectory(Paths.get(pretrained))) {
                errors.add("pretrained: not a folder: " + Paths.get(pretrained).toAbsolutePath());
            }
            if (!vocab.isEmpty()) {
                errors.add("vocab: --pretrained brings its own tokenizer; give --vocab or --pretrained, not both");
            }
        }
    }

    /** Adds a message to {@code errors} unless {@code value} names an existing file (for formats' checks). */
    public static void requireFile(List<String> errors, String key, String value, String hint) {
        if (value == null || value.isEmpty()) {
            errors.add(key + ": missing (" + hint + ")");
        } else if (!Files.isRegularFile(Paths.get(value))) {
            errors.add(key + ": file not found: " + Paths.get(value).toAbsolutePath());
        }
    }

    private int intField(String key) {
        try {
            return RunConfig.class.getField(key).getInt(this);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A value among {@code choices}; a bad default names the environment variable it came from. */
    private static void requireChoice(List<String> errors, String key, String v, List<String> choices,
            String envDefault, String env) {
        if (!choices.contains(v)) {
            errors.add(RuntimeModes.notOneOf(key, choices, v)
                    + (v.equals(envDefault) ? " (the default, from " + env + ")" : ""));
        }
    }

    private static void requirePositive(List<String> errors, String key, int v) {
        if (v <= 0) {
            errors.add(key + ": must be > 0, got " + v);
        }
    }

    private static void requireNonNegative(List<String> errors, String key, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            errors.add(key + ": must be a finite number >= 0, got " + v);
        }
    }

    private static void requireFraction(List<String> errors, String key, double v) {
        if (!(v >= 0 && v < 1)) {
            errors.add(key + ": must be in [0, 1), got " + v);
        }
    }
}
